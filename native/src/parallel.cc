// A small fixed pool of worker threads shared by every context. A parallel_for publishes a job;
// idle workers join it (up to the job's thread budget) and pull task numbers from an atomic
// counter; the calling thread works too, then waits for the stragglers. No allocation per task.
#include "parallel.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace s4j {
namespace {

struct Job {
    task_fn fn;
    const void* arg;
    int64_t tasks;
    std::atomic<int64_t> next{0};
    std::atomic<int64_t> finished{0};
    std::atomic<int32_t> active{0};  // workers inside run(); the job outlives none of them
    int32_t seats;                   // workers that may still join (guarded by the pool mutex)
};

void run(Job* j) {
    for (;;) {
        int64_t t = j->next.fetch_add(1, std::memory_order_relaxed);
        if (t >= j->tasks) break;
        j->fn(j->arg, t);
        j->finished.fetch_add(1, std::memory_order_release);
    }
}

class Pool {
public:
    Pool() {
        unsigned hw = std::thread::hardware_concurrency();
        int n = hw > 1 ? static_cast<int>(hw) - 1 : 0;
        for (int i = 0; i < n; ++i) workers_.emplace_back([this] { loop(); });
    }

    ~Pool() {
        {
            std::lock_guard<std::mutex> lk(m_);
            stop_ = true;
        }
        cv_.notify_all();
        for (auto& t : workers_) t.join();
    }

    int32_t size() const { return static_cast<int32_t>(workers_.size()); }

    void submit(Job* j) {
        bool one = j->seats == 1;  // read before workers can see the job
        {
            std::lock_guard<std::mutex> lk(m_);
            jobs_.push_back(j);
        }
        if (one) cv_.notify_one(); else cv_.notify_all();
    }

    // Takes the job off the queue if no worker took its last seat; afterwards none can join it.
    void withdraw(Job* j) {
        std::lock_guard<std::mutex> lk(m_);
        auto it = std::find(jobs_.begin(), jobs_.end(), j);
        if (it != jobs_.end()) jobs_.erase(it);
    }

private:
    void loop() {
        for (;;) {
            Job* j;
            {
                std::unique_lock<std::mutex> lk(m_);
                cv_.wait(lk, [this] { return stop_ || !jobs_.empty(); });
                if (stop_) return;
                j = jobs_.front();
                j->active.fetch_add(1, std::memory_order_acq_rel);
                if (--j->seats == 0) jobs_.pop_front();
            }
            run(j);
            j->active.fetch_sub(1, std::memory_order_acq_rel);  // the last touch of j
        }
    }

    std::mutex m_;
    std::condition_variable cv_;
    std::deque<Job*> jobs_;
    std::vector<std::thread> workers_;
    bool stop_ = false;
};

Pool& pool() {
    static Pool p;
    return p;
}

}  // namespace

void parallel_for(int32_t threads, int64_t tasks, task_fn fn, const void* arg) {
    if (tasks <= 0) return;
    int32_t helpers = std::min<int64_t>({static_cast<int64_t>(threads) - 1, tasks - 1, pool().size()});
    if (helpers <= 0) {
        for (int64_t t = 0; t < tasks; ++t) fn(arg, t);
        return;
    }
    Job j;
    j.fn = fn;
    j.arg = arg;
    j.tasks = tasks;
    j.seats = helpers;
    pool().submit(&j);
    run(&j);
    pool().withdraw(&j);
    while (j.finished.load(std::memory_order_acquire) < tasks || j.active.load(std::memory_order_acquire) > 0) {
        std::this_thread::yield();
    }
}

}  // namespace s4j
