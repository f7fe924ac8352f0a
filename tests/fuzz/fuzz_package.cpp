// Fuzzes plugin package archives (SPEC §4): extractPackage() of untrusted bytes into a fresh
// temporary folder per run, with small limits so the fuzzer reaches them, and inspectPackage()
// of the same bytes. The first byte chooses the form: even, the rest is a tar that the harness
// gzips (so mutations land in tar headers, not in deflate streams); odd, the rest is the archive
// as received. Checks: inspect and extract agree, a refused package leaves nothing behind, an
// accepted one has its manifest where it says, and nothing is written outside the destination.
#include <QByteArray>
#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include <zlib.h>

#include "shared/package/packagereader.h"

namespace {

QByteArray gzip(const QByteArray &bytes)
{
    z_stream stream{};
    // 15 + 16: a gzip header and trailer instead of zlib's.
    if (deflateInit2(&stream, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        std::abort();
    QByteArray out(qsizetype(deflateBound(&stream, uLong(bytes.size()))), Qt::Uninitialized);
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(bytes.constData()));
    stream.avail_in = uInt(bytes.size());
    stream.next_out = reinterpret_cast<Bytef *>(out.data());
    stream.avail_out = uInt(out.size());
    if (deflate(&stream, Z_FINISH) != Z_STREAM_END)
        std::abort();
    out.resize(qsizetype(stream.total_out));
    deflateEnd(&stream);
    return out;
}

prophasis::PackageLimits fuzzLimits()
{
    prophasis::PackageLimits limits;
    limits.maxArchiveBytes = 256 * 1024;
    limits.maxExtractedBytes = 2 * 1024 * 1024;
    limits.maxEntries = 64;
    return limits;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0)
        return 0;
    const QByteArray rest(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));
    const QByteArray archive = data[0] % 2 == 0 ? gzip(rest) : rest;

    // One folder per run, removed with everything in it when the run ends.
    QTemporaryDir base;
    if (!base.isValid())
        std::abort();
    const QString destination = base.filePath(QStringLiteral("plugin"));

    QString inspectError;
    QString extractError;
    const std::optional<prophasis::Package> inspected =
        prophasis::inspectPackage(archive, fuzzLimits(), &inspectError);
    const std::optional<prophasis::Package> extracted =
        prophasis::extractPackage(archive, destination, fuzzLimits(), &extractError);

    if (inspected.has_value() != extracted.has_value())
        std::abort(); // the core and the agent would disagree about this package
    if (!extracted) {
        if (extractError.isEmpty() || QFileInfo::exists(destination))
            std::abort(); // a refusal says why and leaves nothing behind
    } else if (!QFileInfo(destination + u'/' + extracted->topFolder + QStringLiteral("/manifest.json"))
                    .isFile() ||
               extracted->sha256 != inspected->sha256) {
        std::abort();
    }
    // Nothing but the destination may appear in the base folder (no path escaped it).
    if (QDir(base.path())
            .entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System)
            .size() > (extracted ? 1 : 0))
        std::abort();
    return 0;
}
