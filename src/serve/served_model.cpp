#include "serve/served_model.h"

#include "base/error.h"
#include "base/hash.h"
#include "formats/graphdef.h"

namespace blastscan {

std::shared_ptr<ServedModel> load_served_model(const std::filesystem::path& path, const PredictorOptions& options) {
  Model model = load_model(path);
  if (!model.head)
    throw InputError(path.string() + ": the model has no classification head (a backbone only); train one with `blastscan train`");
  if (static_cast<int>(model.classes.size()) != model.head->num_classes())
    throw InputError(path.string() + ": " + std::to_string(model.head->num_classes()) + " outputs but " +
                     std::to_string(model.classes.size()) + " class names (put a labels.txt beside the model)");
  const std::string sha256 = sha256_file_hex(path);
  return std::make_shared<ServedModel>(std::move(model), options, path.filename().string(), sha256);
}

}  // namespace blastscan
