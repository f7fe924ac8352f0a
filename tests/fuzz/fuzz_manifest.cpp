// Fuzzes manifest.json of an untrusted plugin package (SPEC §3) and the run arguments checked
// against it: parseManifest() of arbitrary bytes and, when it is accepted, resolveArguments() of
// arbitrary given arguments. Input: the given arguments' JSON, a backslash and one more byte, then
// the manifest (FuzzedDataProvider's ConsumeRandomLengthString).
#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include <fuzzer/FuzzedDataProvider.h>

#include "shared/plugin/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    FuzzedDataProvider provider(data, size);
    const std::string given = provider.ConsumeRandomLengthString(4096);
    const std::string manifestText = provider.ConsumeRemainingBytesAsString();

    QString error;
    const std::optional<prophasis::PluginManifest> manifest =
        prophasis::parseManifest(QByteArray(manifestText.data(), qsizetype(manifestText.size())), &error);
    if (!manifest) {
        if (error.isEmpty())
            std::abort(); // a refusal always says why
        return 0;
    }
    if (manifest->arguments.size() > prophasis::MaxPluginArguments || manifest->id.isEmpty() ||
        manifest->entry.isEmpty())
        std::abort();

    const QJsonObject givenArguments =
        QJsonDocument::fromJson(QByteArray(given.data(), qsizetype(given.size()))).object();
    const std::optional<QJsonObject> resolved =
        prophasis::resolveArguments(*manifest, givenArguments, &error);
    if (resolved) {
        // What was resolved once is complete and valid: resolving it again changes nothing.
        const std::optional<QJsonObject> again = prophasis::resolveArguments(*manifest, *resolved, &error);
        if (!again || *again != *resolved)
            std::abort();
    }
    return 0;
}
