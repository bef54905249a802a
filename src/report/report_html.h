// report.html: one self-contained page (inline CSS, inline SVG charts, thumbnails as data:
// URIs; no script, no network) that a clinician-researcher can open, print or e-mail.
// A pure function of the report struct: no files are read here.
#pragma once
#include <string>

#include "report/evaluation_report.h"

namespace blastscan {

// At most max_gallery misclassified images are shown (the most confident mistakes first), each
// beside its class activation map when the report holds one; report.json lists them all.
std::string render_report_html(const EvaluationReport& report, size_t max_gallery = kGalleryImages);

}  // namespace blastscan
