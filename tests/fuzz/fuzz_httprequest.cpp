// Fuzzes the HTTP/1.x request parser the agent and the core put on the network (HttpRequestParser
// over Beast): arbitrary bytes, fed whole and again in arbitrary splits. Besides the sanitizers'
// findings, it checks what the parser promises: however a client splits its bytes, the same
// requests come out and the same error stops the connection.
#include <QByteArray>
#include <QList>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include <fuzzer/FuzzedDataProvider.h>

#include "shared/http/httprequestparser.h"

namespace {

using prophasis::HttpLimits;
using prophasis::HttpRequestParser;

// Small limits, so the fuzzer reaches every limit with short inputs.
HttpLimits fuzzLimits()
{
    HttpLimits limits;
    limits.maxRequestLineBytes = 200;
    limits.maxHeaderBytes = 600;
    limits.maxHeaderCount = 12;
    limits.maxBodyBytes = 2000;
    limits.bodyLimitFor = [](QByteArrayView method, QStringView path) -> qint64 {
        return method == "PUT" && path.startsWith(u"/upload") ? 4000 : -1;
    };
    return limits;
}

// What a connection saw: every complete request in a canonical form, then how it ended.
struct Outcome
{
    QList<QByteArray> requests;
    int errorStatus = 0;
    friend bool operator==(const Outcome &, const Outcome &) = default;
};

QByteArray describe(const prophasis::HttpRequest &request)
{
    QByteArray text = request.method + ' ' + request.target + ' ' + request.path.toUtf8() + '\n';
    for (const auto &[name, value] : request.headers)
        text += name + ": " + value + '\n';
    text += request.keepAlive ? "keep-alive\n" : "close\n";
    return text + request.body;
}

// Feeds `bytes` in pieces of the given sizes (the last piece takes the rest), as a connection
// does: after a complete request, take() it and feed what was not consumed again.
Outcome parse(const QByteArray &bytes, const QList<qsizetype> &pieceSizes)
{
    HttpRequestParser parser(fuzzLimits());
    Outcome outcome;
    QByteArray buffered;
    qsizetype offset = 0;
    qsizetype piece = 0;
    while (offset < bytes.size()) {
        const qsizetype size = piece < pieceSizes.size() ? pieceSizes[piece++] : bytes.size() - offset;
        buffered += bytes.mid(offset, size);
        offset += size;
        while (!buffered.isEmpty()) {
            const HttpRequestParser::Result result = parser.feed(buffered);
            if (result.consumed < 0 || result.consumed > buffered.size())
                std::abort(); // the parser must never claim more than it was given
            buffered.remove(0, result.consumed);
            if (result.state == HttpRequestParser::State::Error) {
                if (result.errorStatus < 400 || result.errorStatus > 599 || result.errorMessage.isEmpty())
                    std::abort();
                outcome.errorStatus = result.errorStatus;
                return outcome;
            }
            if (result.state == HttpRequestParser::State::Complete) {
                outcome.requests.append(describe(parser.take()));
                continue;
            }
            if (!buffered.isEmpty())
                std::abort(); // NeedMore means everything was consumed
        }
    }
    return outcome;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    FuzzedDataProvider provider(data, size);
    // The first bytes choose the splits; the rest is what the client sends.
    QList<qsizetype> pieceSizes;
    const int pieces = provider.ConsumeIntegralInRange(0, 8);
    for (int i = 0; i < pieces; ++i)
        pieceSizes.append(provider.ConsumeIntegralInRange<qsizetype>(1, 64));
    const std::string rest = provider.ConsumeRemainingBytesAsString();
    const QByteArray bytes(rest.data(), qsizetype(rest.size()));

    const Outcome whole = parse(bytes, {});
    const Outcome split = parse(bytes, pieceSizes);
    if (!(whole == split))
        std::abort(); // the result depends on how the bytes arrived
    return 0;
}
