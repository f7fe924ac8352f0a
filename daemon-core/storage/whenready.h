#pragma once

#include <QFuture>
#include <QFutureWatcher>
#include <QObject>

#include <type_traits>
#include <utility>

#include "daemon-core/storage/storageerror.h"

namespace prophasis {

// Continues a storage job on `context`'s thread: `done` with its result, or `failed` with its
// StorageError. If `context` is destroyed first, neither runs.
//
// Use this, not QFuture::then(context, …).onFailed(context, …), for work whose owner can go away
// while a job is in flight (every daemon object at shutdown): Qt 6.4 asserts in a continuation
// whose context was destroyed (and drops it silently in release builds).
template <typename T, typename Done, typename Failed>
void whenReady(QFuture<T> future, QObject *context, Done done, Failed failed)
{
    auto *watcher = new QFutureWatcher<T>(context);
    QObject::connect(watcher, &QFutureWatcherBase::finished, context,
                     [watcher, done = std::move(done), failed = std::move(failed)]() mutable {
                         watcher->deleteLater();
                         QFuture<T> finished = watcher->future();
                         try {
                             if constexpr (std::is_void_v<T>) {
                                 finished.waitForFinished(); // rethrows the job's exception
                                 done();
                             } else {
                                 done(finished.result());
                             }
                         } catch (const StorageError &error) {
                             failed(error);
                         }
                     });
    watcher->setFuture(std::move(future));
}

} // namespace prophasis
