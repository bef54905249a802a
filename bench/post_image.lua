-- wrk script preamble shared by the serve benchmarks: every request POSTs the image file named by
-- $LOAD_IMAGE to /Inference as a raw body, the seed client's way. Each benchmark appends its own
-- response()/done() hooks to this file.
local f = assert(io.open(os.getenv("LOAD_IMAGE"), "rb"))
wrk.method = "POST"
wrk.path = "/Inference"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/octet-stream"
