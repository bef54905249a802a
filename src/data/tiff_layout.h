// Where a TIFF's own structure says its data lies, checked against the file's size before a
// decoder believes it. Decoders allocate what a file declares before they read it: OpenSlide's
// directory reader mallocs count x type size for every entry it reads (a 50 KB file declaring
// 2^30+1 SHORTs: 2 GiB), and OpenSlide reads a tile into a buffer of its declared byte count
// (2.7 GB in a 50 KB file; both found by fuzz_slide). Data declared past the end of the file
// cannot be read anyway, so such a file is refused before any decoder allocates for it.
#pragma once
#include <tiffio.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace blastscan {

// libtiff open options that print nothing: warnings are dropped, and errors go to `on_error`
// (with `user`) or are dropped too, so every problem surfaces as our InputError, not on stderr.
using TiffOpenOptions = std::unique_ptr<TIFFOpenOptions, void (*)(TIFFOpenOptions*)>;
TiffOpenOptions quiet_tiff_options(TIFFErrorHandlerExtR on_error = nullptr, void* user = nullptr);

// The strips or tiles of libtiff's current directory against a file of `file_size` bytes.
struct TiffPieces {
  bool listed = false;   // the directory has offsets and byte counts for its pieces
  std::string outside;   // the first piece past the end ("tile 3 claims N bytes at offset O"), or ""
};
TiffPieces tiff_pieces(TIFF* tif, uint64_t file_size);

// Throws InputError("<name>: TIFF directory D: ...") unless, in every directory of the TIFF
// (classic or BigTIFF, either byte order) at `path`, the directory itself, the data of every
// entry not stored inline (count x type size) and every strip or tile lie inside the file, and
// no two directories overlap (so the chain cannot loop). A file that is not a TIFF is left
// alone (OpenSlide's other formats).
void check_tiff_data_inside_file(const std::filesystem::path& path, const std::string& name);

}  // namespace blastscan
