#pragma once

#include <chrono>
#include <optional>

namespace prophasis {

// When a failed delivery is tried again: after firstDelay, then twice as long each time up to
// maxDelay, for at most maxAttempts attempts and while the next attempt starts within maxTotal of
// the first. The defaults try 6 times over about 2.5 minutes (5, 10, 20, 40, 80 s apart), which
// rides out a mail server restart without piling up stale alerts.
struct RetryPolicy
{
    int maxAttempts = 6;
    std::chrono::milliseconds firstDelay{5'000};
    std::chrono::milliseconds maxDelay{300'000};
    std::chrono::milliseconds maxTotal{900'000};

    // The wait before the next attempt after `failedAttempts` (≥ 1) failed ones, `elapsed` after
    // the first started; nullopt: give up.
    std::optional<std::chrono::milliseconds> delayAfter(int failedAttempts,
                                                        std::chrono::milliseconds elapsed) const
    {
        if (failedAttempts >= maxAttempts)
            return std::nullopt;
        std::chrono::milliseconds delay = firstDelay;
        for (int i = 1; i < failedAttempts && delay < maxDelay; ++i)
            delay *= 2;
        delay = std::min(delay, maxDelay);
        if (elapsed + delay > maxTotal)
            return std::nullopt;
        return delay;
    }
};

// How alerts are delivered (AlertService, DeliveryQueue).
struct DeliveryOptions
{
    RetryPolicy retry;
    // Deliveries waiting or in flight; past this, new ones are dropped and logged, so a storm of
    // changes against a dead mail server cannot eat the core's memory.
    int queueCapacity = 1000;
    // Delivery threads: one slow server (an SMTP timeout is 30 s) does not hold up the others.
    int workerThreads = 2;
    // At stop, how long waiting deliveries still get (one attempt each, no retries); then the
    // attempts in flight are cancelled and the rest are logged as dropped.
    std::chrono::milliseconds stopGrace{5'000};
};

} // namespace prophasis
