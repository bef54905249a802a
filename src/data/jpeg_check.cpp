#include "data/jpeg_check.h"

#include <csetjmp>
#include <cstdio>
#include <vector>

#include <jpeglib.h>

namespace blastscan {

namespace {

struct Reporter {
  jpeg_error_mgr manager;  // first, so that libjpeg's pointer to it is a pointer to this
  std::jmp_buf abort;
  char first[JMSG_LENGTH_MAX] = "";
};

void keep_first(j_common_ptr cinfo) {
  auto* reporter = reinterpret_cast<Reporter*>(cinfo->err);
  if (!reporter->first[0]) cinfo->err->format_message(cinfo, reporter->first);
}

// msg_level -1 is a warning (corrupt data among them); levels >= 0 are trace messages.
void on_message(j_common_ptr cinfo, int msg_level) {
  if (msg_level < 0) keep_first(cinfo);
}

[[noreturn]] void on_error(j_common_ptr cinfo) {
  keep_first(cinfo);
  std::longjmp(reinterpret_cast<Reporter*>(cinfo->err)->abort, 1);
}

// Kept free of C++ objects with destructors: longjmp leaves it from inside libjpeg.
void decode_all_lines(jpeg_decompress_struct& cinfo, std::span<const uint8_t> bytes, std::vector<JSAMPLE>& row) {
  jpeg_mem_src(&cinfo, bytes.data(), static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&cinfo, TRUE);
  cinfo.dct_method = JDCT_IFAST;  // only the data is checked here; the pixels come from OpenCV
  cinfo.do_fancy_upsampling = FALSE;
  jpeg_start_decompress(&cinfo);
  row.resize(size_t(cinfo.output_width) * size_t(cinfo.output_components));
  JSAMPROW rows[1] = {row.data()};
  while (cinfo.output_scanline < cinfo.output_height) jpeg_read_scanlines(&cinfo, rows, 1);
  jpeg_finish_decompress(&cinfo);
}

}  // namespace

std::string jpeg_data_problem(std::span<const uint8_t> bytes) {
  jpeg_decompress_struct cinfo;
  Reporter reporter;
  cinfo.err = jpeg_std_error(&reporter.manager);
  reporter.manager.emit_message = on_message;
  reporter.manager.error_exit = on_error;
  std::vector<JSAMPLE> row;
  jpeg_create_decompress(&cinfo);
  if (setjmp(reporter.abort) == 0) decode_all_lines(cinfo, bytes, row);
  jpeg_destroy_decompress(&cinfo);
  return reporter.first;
}

}  // namespace blastscan
