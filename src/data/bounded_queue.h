// BoundedQueue<T>: the hand-off between one thread that decodes images ahead and one that
// computes on them, holding at most `capacity` items so decoding runs ahead by a bounded amount
// of memory. close() ends it from either side: the producer when it is done (pop() then drains
// what is left and returns nullopt), the consumer when it gives up (push() then returns false,
// so the producer stops).
#pragma once
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <exception>
#include <optional>
#include <thread>

namespace blastscan {

template <typename T>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : capacity_(capacity) {}

  bool push(T item) {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return closed_ || queue_.size() < capacity_; });
    if (closed_) return false;
    queue_.push_back(std::move(item));
    cv_.notify_all();
    return true;
  }

  std::optional<T> pop() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return closed_ || !queue_.empty(); });
    if (queue_.empty()) return std::nullopt;
    T item = std::move(queue_.front());
    queue_.pop_front();
    cv_.notify_all();
    return item;
  }

  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    cv_.notify_all();
  }

 private:
  size_t capacity_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<T> queue_;
  bool closed_ = false;
};

// The one way the two threads are wired: `produce(push)` runs on a thread of its own, pushing
// items (push returns false once the consumer has given up: stop then), while `consume(item)`
// runs on the calling thread for each item in order. An exception on either side closes the
// queue, joins the producer and is rethrown here, so no thread outlives the call.
template <typename T, typename Produce, typename Consume>
void produce_and_consume(size_t capacity, Produce&& produce, Consume&& consume) {
  BoundedQueue<T> queue(capacity);
  std::exception_ptr producer_error;
  std::thread producer([&] {
    try {
      produce([&](T item) { return queue.push(std::move(item)); });
    } catch (...) {
      producer_error = std::current_exception();
    }
    queue.close();
  });
  try {
    while (auto item = queue.pop()) consume(*item);
  } catch (...) {
    queue.close();
    producer.join();
    throw;
  }
  producer.join();
  if (producer_error) std::rethrow_exception(producer_error);
}

}  // namespace blastscan
