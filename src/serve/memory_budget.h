// One budget for the memory that requests in flight may hold at once: bodies as they arrive
// and images as they will be decoded (the decoder's size, from the header, before decoding).
// Per-request limits alone let 64 connections of 32 MiB bodies, or 8 workers each decoding a
// 1 KB RLE bitmap into 200 MB, add up to gigabytes; past the budget a request gets 503 (retry)
// instead of the process being killed for memory.
#pragma once
#include <atomic>
#include <cstddef>
#include <utility>

namespace blastscan {

class MemoryBudget {
 public:
  explicit MemoryBudget(size_t bytes) : limit_(bytes) {}
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  // Bytes held until it is destroyed (or grown); empty (false) when the budget had no room.
  class Reservation {
   public:
    Reservation() = default;
    Reservation(Reservation&& other) noexcept
        : budget_(std::exchange(other.budget_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}
    Reservation& operator=(Reservation&& other) noexcept {
      std::swap(budget_, other.budget_);
      std::swap(bytes_, other.bytes_);
      return *this;
    }
    ~Reservation() {
      if (budget_) budget_->used_ -= bytes_;
    }
    // Holds `more` bytes besides; false (and nothing changed) if the budget has no room.
    bool grow(size_t more) { return budget_ && budget_->take(more) && (bytes_ += more, true); }
    size_t bytes() const { return bytes_; }

   private:
    friend class MemoryBudget;
    Reservation(MemoryBudget* budget) : budget_(budget) {}
    MemoryBudget* budget_ = nullptr;
    size_t bytes_ = 0;
  };

  // An empty reservation to grow as a body arrives.
  Reservation open() { return Reservation(this); }
  size_t limit() const { return limit_; }

 private:
  bool take(size_t n) {
    size_t used = used_.load();
    do {
      if (n > limit_ || used > limit_ - n) return false;
    } while (!used_.compare_exchange_weak(used, used + n));
    return true;
  }

  const size_t limit_;
  std::atomic<size_t> used_{0};
};

}  // namespace blastscan
