#pragma once

#include <QByteArrayView>
#include <QString>

#include <memory>

#include "shared/http/httplimits.h"
#include "shared/http/httprequest.h"

namespace prophasis {

// An incremental HTTP/1.0 and 1.1 request parser over bytes: no sockets, so it can be tested and
// fuzzed on its own. Boost.Beast's parser reads the syntax; this class adds what Beast lacks
// (limits on the request line, the header bytes in total and the header count, Transfer-Encoding
// and Host rules) and turns every failure into a status code and a message a person understands.
//
// Feed bytes as they arrive. A complete request stops the parser: bytes after it (a pipelined next
// request) are not consumed, so the caller keeps them and feeds them after take().
class HttpRequestParser
{
public:
    enum class State
    {
        NeedMore, // everything was consumed; feed more (check expectsContinue())
        Complete, // a request is ready: take() it
        Error,    // answer errorStatus with errorMessage and close the connection
    };

    struct Result
    {
        State state = State::NeedMore;
        qsizetype consumed = 0; // of the bytes just fed; less than all after a complete request
        int errorStatus = 0;    // 400, 413, 414, 417, 431, 501 or 505 when state is Error
        QString errorMessage;
    };

    explicit HttpRequestParser(const HttpLimits &limits = {});
    ~HttpRequestParser();
    HttpRequestParser(const HttpRequestParser &) = delete;
    HttpRequestParser &operator=(const HttpRequestParser &) = delete;

    Result feed(QByteArrayView bytes);

    // The complete request; the parser is then ready for the next one.
    HttpRequest take();

    // The header asked for `Expect: 100-continue` (HTTP/1.1) and no body byte has arrived yet: the
    // client waits for "100 Continue" before it sends the body.
    bool expectsContinue() const;

    // Forgets any partial request or error, ready for a new request.
    void reset();

private:
    class Impl;
    HttpLimits m_limits;
    std::unique_ptr<Impl> m_impl;
};

} // namespace prophasis
