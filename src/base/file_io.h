// Whole-file reads and atomic writes (write to a temporary beside the target, then rename),
// so a crash or Ctrl-C never leaves a half-written output.
#pragma once
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace blastscan {

namespace fs = std::filesystem;

// Why `path` cannot be read as a file ("no such file", "dangling symbolic link...", "cannot
// read: Too many levels of symbolic links", "is a directory...", "not a regular file" for a
// FIFO or device), or "" for a regular file.
std::string not_a_readable_file(const fs::path& path);

// Reads the whole file; throws InputError naming the path if it is missing or unreadable,
// or larger than max_bytes.
std::vector<uint8_t> read_file(const fs::path& path, size_t max_bytes = size_t(1) << 32);
std::string read_text_file(const fs::path& path, size_t max_bytes = size_t(1) << 28);

// Where a file is written before it is renamed to `path`: ".NAME.tmpNNN" beside it. Hidden and
// starting with a dot, it matches no output pattern (a shell's "*_train_*", a folder scan), so a
// run killed mid-write leaves nothing that passes for an output.
fs::path temporary_path_for(const fs::path& path);

// The file name a temporary of temporary_path_for() stands for (".NAME.tmpNNN" -> "NAME"), or
// "" if `name` is not one. A run that cleans its outputs cleans their temporaries too: a kill -9
// mid-write leaves one behind, and the folders of two runs would otherwise differ.
std::string final_name_of_temporary(std::string_view name);

// Writes bytes to path atomically; creates parent folders.
void write_file_atomic(const fs::path& path, std::span<const uint8_t> bytes);
void write_file_atomic(const fs::path& path, std::string_view text);

}  // namespace blastscan
