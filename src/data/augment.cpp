#include "data/augment.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "base/error.h"
#include "base/file_io.h"
#include "base/hash.h"
#include "base/progress.h"
#include "data/image.h"
#include "data/parallel.h"
#include "base/rng.h"
#include "data/preprocess.h"

namespace blastscan {

namespace {

constexpr std::array<std::pair<AugmentOp, const char*>, 8> kOpNames = {{{AugmentOp::original, "original"},
                                                                        {AugmentOp::gray, "gray"},
                                                                        {AugmentOp::equalized, "equalize"},
                                                                        {AugmentOp::flip_x, "flip-x"},
                                                                        {AugmentOp::flip_y, "flip-y"},
                                                                        {AugmentOp::blur, "blur"},
                                                                        {AugmentOp::shift, "shift"},
                                                                        {AugmentOp::rotate, "rotate"}}};

cv::Mat gray_rgb(const cv::Mat& rgb, bool equalize) {
  cv::Mat gray, out;
  cv::cvtColor(rgb, gray, cv::COLOR_RGB2GRAY);
  if (equalize) cv::equalizeHist(gray, gray);
  cv::cvtColor(gray, out, cv::COLOR_GRAY2RGB);
  return out;
}

cv::Mat warp(const cv::Mat& rgb, const cv::Mat& matrix, const AugmentRecipe& r) {
  cv::Mat out;
  cv::warpAffine(rgb, out, matrix, rgb.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT,
                 cv::Scalar(r.fill[0], r.fill[1], r.fill[2]));
  return out;
}

std::string output_name(const Sample& source, const AugmentJob& job, const std::string& ext) {
  char tail[64];
  if (job.op == AugmentOp::rotate)
    std::snprintf(tail, sizeof tail, "_%02d_rotate%+.1f.", job.serial, job.angle);
  else
    std::snprintf(tail, sizeof tail, "_%02d_%s.", job.serial, augment_op_name(job.op));
  return source.path.stem().string() + tail + ext;
}

}  // namespace

AugmentOp parse_augment_op(const std::string& name) {
  for (const auto& [op, text] : kOpNames)
    if (name == text) return op;
  throw InputError("unknown augmentation '" + name + "' (expected original, gray, equalize, flip-x, flip-y, blur, shift)");
}

const char* augment_op_name(AugmentOp op) {
  for (const auto& [o, text] : kOpNames)
    if (o == op) return text;
  return "?";
}

cv::Mat augment_image(const cv::Mat& rgb, AugmentOp op, const AugmentRecipe& recipe, double angle) {
  cv::Mat out;
  switch (op) {
    case AugmentOp::original: return rgb.clone();
    case AugmentOp::gray: return gray_rgb(rgb, false);
    case AugmentOp::equalized: return gray_rgb(rgb, true);
    case AugmentOp::flip_x: cv::flip(rgb, out, 0); return out;
    case AugmentOp::flip_y: cv::flip(rgb, out, 1); return out;
    case AugmentOp::blur: {
      if (recipe.blur_sigma <= 0) return rgb.clone();
      // scipy.ndimage.gaussian_filter: truncate at 4 sigma, mirror ('reflect') borders.
      const int k = 2 * static_cast<int>(std::ceil(4 * recipe.blur_sigma)) + 1;
      cv::GaussianBlur(rgb, out, cv::Size(k, k), recipe.blur_sigma, recipe.blur_sigma, cv::BORDER_REFLECT);
      return out;
    }
    case AugmentOp::shift: {
      const cv::Mat m = (cv::Mat_<double>(2, 3) << 1, 0, recipe.shift_x, 0, 1, recipe.shift_y);
      return warp(rgb, m, recipe);
    }
    case AugmentOp::rotate: {
      // Pixel centres sit at whole coordinates, so the image's centre is at (W-1)/2, (H-1)/2.
      const cv::Point2f centre((rgb.cols - 1) / 2.f, (rgb.rows - 1) / 2.f);
      return warp(rgb, cv::getRotationMatrix2D(centre, angle, recipe.rotation_scale), recipe);
    }
  }
  return out;
}

std::vector<AugmentJob> plan_augmentation(const Dataset& train, const AugmentRecipe& recipe, unsigned seed,
                                          size_t per_class, double factor) {
  const size_t per_source = recipe.fixed.size() + size_t(std::max(0, recipe.rotations));
  if (per_class == 0 && factor <= 0 && per_source == 0) throw InputError("augment: the recipe makes no images");
  std::mt19937 rng(seed);
  std::vector<AugmentJob> jobs;
  for (int c = 0; c < int(train.classes.size()); ++c) {
    std::vector<size_t> sources;
    for (size_t i = 0; i < train.samples.size(); ++i)
      if (train.samples[i].label == c) sources.push_back(i);
    if (sources.empty()) continue;
    const size_t target = per_class > 0 ? per_class
                          : factor > 0  ? size_t(std::llround(factor * double(sources.size())))
                                        : per_source * sources.size();
    for (size_t k = 0; k < target; ++k) {
      const size_t round = k / sources.size();
      AugmentJob job{sources[k % sources.size()], AugmentOp::rotate, 0, int(round)};
      if (round < recipe.fixed.size()) job.op = recipe.fixed[round];
      else job.angle = uniform(rng, recipe.min_angle, recipe.max_angle);
      jobs.push_back(job);
    }
  }
  return jobs;
}

Dataset write_augmented(const Dataset& train, const std::vector<AugmentJob>& jobs, const AugmentRecipe& recipe,
                        const fs::path& out, const std::string& ext, int threads, const ProgressFn& on_progress) {
  if (ext != "jpg" && ext != "png") throw InputError("augment: output format '" + ext + "': expected jpg or png");
  // Jobs grouped by source, so each source is decoded and resized once.
  std::map<size_t, std::vector<AugmentJob>> by_source;
  std::set<fs::path> names;
  for (const auto& job : jobs) {
    by_source[job.source].push_back(job);
    const Sample& s = train.samples[job.source];
    const fs::path path = out / train.classes[s.label] / output_name(s, job, ext);
    if (!names.insert(path).second)
      throw InputError(s.path.string() + ": another source image of class " + train.classes[s.label] +
                       " has the same file name; rename one of them");
  }
  std::vector<std::pair<size_t, std::vector<AugmentJob>>> work(by_source.begin(), by_source.end());
  std::vector<std::vector<Sample>> made(work.size());
  std::vector<std::string> problems(work.size());
  const std::vector<int> params = ext == "jpg" ? std::vector<int>{cv::IMWRITE_JPEG_QUALITY, 95} : std::vector<int>{};
  ProgressCounter progress(on_progress, "augmenting", work.size());
  parallel_for(
      work.size(), threads,
      [&](size_t w) {
        const Sample& source = train.samples[work[w].first];
        cv::Mat rgb;
        try {
          rgb = load_image(source.path);
        } catch (const InputError& e) {
          problems[w] = e.what();
          return;
        }
        if (recipe.size > 0) cv::resize(rgb, rgb, cv::Size(recipe.size, recipe.size), 0, 0, cv::INTER_LINEAR);
        for (const auto& job : work[w].second) {
          cv::Mat bgr;
          cv::cvtColor(augment_image(rgb, job.op, recipe, job.angle), bgr, cv::COLOR_RGB2BGR);
          std::vector<uint8_t> bytes;
          if (!cv::imencode("." + ext, bgr, bytes, params)) throw Error("augment: cannot encode " + ext);
          const fs::path path = out / train.classes[source.label] / output_name(source, job, ext);
          write_file_atomic(path, bytes);
          made[w].push_back({.path = path,
                             .label = source.label,
                             .group = source.group,
                             .hash = sha256_hex(bytes),
                             .split = std::string(kTrain),
                             .source = source.path});
        }
      },
      [&] { progress.advance(); });
  progress.finish();

  Dataset result;
  result.classes = train.classes;
  for (size_t w = 0; w < work.size(); ++w) {
    if (!problems[w].empty()) result.skipped.push_back({train.samples[work[w].first].path, problems[w]});
    for (auto& s : made[w]) result.samples.push_back(std::move(s));
  }
  std::sort(result.samples.begin(), result.samples.end(), [](const Sample& a, const Sample& b) { return a.path < b.path; });
  return result;
}

cv::Mat make_contact_sheet(const Dataset& augmented, int thumb, size_t max_per_row) {
  const int gap = 4, label_width = 120;
  std::vector<std::pair<std::string, std::vector<fs::path>>> rows;
  for (size_t c = 0; c < augmented.classes.size(); ++c) {
    std::vector<fs::path> row;
    fs::path first_source;
    for (const auto& s : augmented.samples) {
      if (s.label != int(c)) continue;
      if (first_source.empty()) first_source = s.source;
      if (s.source == first_source && row.size() < max_per_row) row.push_back(s.path);
    }
    if (!row.empty()) rows.emplace_back(augmented.classes[c], std::move(row));
  }
  if (rows.empty()) throw InputError("contact sheet: no augmented images");
  size_t cols = 0;
  for (const auto& r : rows) cols = std::max(cols, r.second.size());
  cv::Mat sheet(int(rows.size()) * (thumb + gap) + gap, label_width + int(cols) * (thumb + gap) + gap, CV_8UC3,
                cv::Scalar::all(255));
  for (size_t r = 0; r < rows.size(); ++r) {
    const int y = gap + int(r) * (thumb + gap);
    cv::putText(sheet, rows[r].first.substr(0, 12), {gap, y + thumb / 2}, cv::FONT_HERSHEY_SIMPLEX, 0.6,
                cv::Scalar::all(0), 1, cv::LINE_AA);
    for (size_t i = 0; i < rows[r].second.size(); ++i) {
      cv::Mat small;
      cv::resize(load_image(rows[r].second[i]), small, cv::Size(thumb, thumb), 0, 0, cv::INTER_AREA);
      small.copyTo(sheet(cv::Rect(label_width + gap + int(i) * (thumb + gap), y, thumb, thumb)));
    }
  }
  return sheet;  // RGB
}

}  // namespace blastscan
