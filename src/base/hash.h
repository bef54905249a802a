// Content hashes (SHA-256, via OpenSSL) used to key caches and to find duplicate images.
#pragma once
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

namespace blastscan {

std::string sha256_hex(std::span<const uint8_t> bytes);
std::string sha256_hex(std::string_view text);
std::string sha256_file_hex(const std::filesystem::path& path);

}  // namespace blastscan
