// blastscan augment --data DATA --out DIR (or augment DATA --out DIR): the seed's offline
// augmentations of the TRAINING split of a prepared dataset (DATA = prepare's output folder or
// manifest). Writes DIR/<class>/ images, a manifest (augmented training images, each linked to
// its source, plus the untouched validation images, so `train --data DIR` validates on real
// images only) and DIR/contact_sheet.png.
#include <cstdio>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "base/error.h"
#include "base/file_io.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/progress_bar.h"
#include "data/augment.h"
#include "data/manifest.h"
#include "data/split.h"

namespace blastscan::cli {

namespace {

struct AugmentArgs {
  std::string data, out, image_format = "jpg";
  std::vector<std::string> ops = {"original", "gray", "equalize", "flip-x", "flip-y", "blur", "shift"};
  std::vector<double> angles = {-180, 180};
  std::vector<int> fill = {162, 159, 144}, shift = {84, 56};
  AugmentRecipe recipe;
  unsigned seed = 50;
  size_t per_class = 0;
  double factor = 0;
  int threads = 0;
};

void write_contact_sheet(const Dataset& augmented, const fs::path& path) {
  cv::Mat bgr;
  cv::cvtColor(make_contact_sheet(augmented), bgr, cv::COLOR_RGB2BGR);
  std::vector<uint8_t> png;
  cv::imencode(".png", bgr, png);
  write_file_atomic(path, png);
}

void run_augment(AugmentArgs& a) {
  AugmentRecipe& recipe = a.recipe;
  recipe.fixed.clear();
  for (const auto& name : a.ops)
    if (name != "none") recipe.fixed.push_back(parse_augment_op(name));
  recipe.min_angle = a.angles[0];
  recipe.max_angle = a.angles[1];
  recipe.shift_x = a.shift[0];
  recipe.shift_y = a.shift[1];
  for (int c = 0; c < 3; ++c) recipe.fill[c] = static_cast<uint8_t>(a.fill[c]);

  const Dataset dataset = load_dataset(a.data);
  const Dataset train = select_split(dataset, kTrain);  // refuses an unsplit dataset
  const auto jobs = plan_augmentation(train, recipe, a.seed, a.per_class, a.factor);
  Dataset result = write_augmented(train, jobs, recipe, a.out, a.image_format, a.threads, terminal_progress());
  const size_t made = result.samples.size();
  for (const auto& s : dataset.samples)
    if (s.split == kValidation) result.samples.push_back(s);
  write_contact_sheet(result, fs::path(a.out) / "contact_sheet.png");
  write_manifest(result, a.out);

  std::printf("%s", format_split_table(result).c_str());
  std::printf("made %zu training images from %zu sources; validation images kept as they are\n", made,
              train.samples.size());
  for (const auto& s : result.skipped) std::printf("  skipped %s: %s\n", s.path.string().c_str(), s.reason.c_str());
  std::printf("wrote %s/<class>/, manifest.csv, manifest.json, labels.txt, contact_sheet.png\n", a.out.c_str());
}

}  // namespace

void add_augment(CLI::App& app) {
  auto a = std::make_shared<AugmentArgs>();
  auto* cmd = app.add_subcommand("augment", "make the seed's offline augmentations of a prepared dataset's training split");
  // --data as every data-reading command takes it; the positional form still works.
  cmd->add_option("data,--data,-d", a->data, "prepare's output folder or manifest (.json/.csv)")->required();
  cmd->add_option("--out,-o", a->out, "output folder")->required();
  add_option(cmd, flags::seed, a->seed);
  cmd->add_option("--ops", a->ops, "fixed operations per image: original,gray,equalize,flip-x,flip-y,blur,shift (or none)")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--rotations", a->recipe.rotations, "random rotations per image")->check(CLI::Range(0, 10000))->capture_default_str();
  cmd->add_option("--angles", a->angles, "rotation angle range MIN,MAX (degrees)")->expected(2)->delimiter(',')->capture_default_str();
  cmd->add_option("--scale", a->recipe.rotation_scale, "scale applied with each rotation")->check(finite_number() & CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--fill", a->fill, "border colour R,G,B (the seed's BGR 144,159,162)")
      ->expected(3)->delimiter(',')->check(CLI::Range(0, 255))->capture_default_str();
  cmd->add_option("--blur-sigma", a->recipe.blur_sigma, "Gaussian blur sigma (px)")->check(finite_number() & CLI::NonNegativeNumber)->capture_default_str();
  cmd->add_option("--shift", a->shift, "translation X,Y (px)")->expected(2)->delimiter(',')->capture_default_str();
  cmd->add_option("--size", a->recipe.size, "resize every image to SIZE x SIZE first (0 = keep)")->check(CLI::Range(0, 8192))->capture_default_str();
  auto* per_class = cmd->add_option("--per-class", a->per_class, "make this many images per class instead of the fixed recipe");
  cmd->add_option("--factor", a->factor, "make FACTOR x (training images) per class instead")
      ->check(CLI::PositiveNumber)->excludes(per_class);
  cmd->add_option("--image-format", a->image_format, "output image format")->check(CLI::IsMember({"jpg", "png"}))->capture_default_str();
  add_option(cmd, flags::threads, a->threads);
  cmd->callback([a] { run_augment(*a); });
}

}  // namespace blastscan::cli
