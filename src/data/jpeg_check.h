// libjpeg reports damaged entropy-coded data ("Corrupt JPEG data: 12 extraneous bytes before
// marker 0xd9", "Premature end of JPEG file") as warnings and decodes on: OpenCV passes them to
// stderr and returns an image with grey or smeared blocks, which the network then classifies
// with confidence (18 of 32 bit-flipped JPEGs were). This runs libjpeg itself over the data
// first, with an error manager that collects the warnings, so that decode_image can refuse
// such a file with the decoder's own words.
#pragma once
#include <cstdint>
#include <span>
#include <string>

namespace blastscan {

// Decodes every scan line of a JPEG (into one scratch row) and returns libjpeg's first warning
// or error, or "" when the data decoded cleanly.
std::string jpeg_data_problem(std::span<const uint8_t> bytes);

}  // namespace blastscan
