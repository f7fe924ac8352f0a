#include "shared/luasandbox/workerloop.h"

#include <cerrno>
#include <cstdio>
#include <optional>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "shared/luasandbox/framecodec.h"

namespace prophasis {

namespace {

bool writeAll(int fd, const std::string &data)
{
    std::size_t written = 0;
    while (written < data.size()) {
        const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        written += static_cast<std::size_t>(n);
    }
    return true;
}

} // namespace

bool takeProtocolChannels(int *input, int *output)
{
    ::signal(SIGPIPE, SIG_IGN);
    *input = ::fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
    *output = ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
    const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (*input < 0 || *output < 0 || null < 0)
        return false;
    ::dup2(null, STDIN_FILENO);
    ::dup2(STDERR_FILENO, STDOUT_FILENO);
    ::close(null);
    return true;
}

int serveFrames(int input, int output, const char *program,
                const std::function<bool(const std::string &payload, std::string *answer)> &handle,
                const std::function<void()> &afterEach)
{
    LuaFrameDecoder decoder;
    std::string payload;
    std::string answer;
    static char buffer[64 * 1024];
    while (true) {
        const ssize_t n = ::read(input, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (decoder.buffered() == 0)
                return 0;
            std::fprintf(stderr, "%s: input ended inside a frame\n", program);
            return WorkerExitMalformed;
        }
        decoder.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
        while (true) {
            const LuaFrameDecoder::Status status = decoder.next(&payload);
            if (status == LuaFrameDecoder::Status::NeedMore)
                break;
            if (status == LuaFrameDecoder::Status::Malformed) {
                std::fprintf(stderr, "%s: a frame length of 0 or over %zu bytes\n", program,
                             MaxLuaFrameBytes);
                return WorkerExitMalformed;
            }
            if (!handle(payload, &answer))
                return WorkerExitMalformed;
            const std::optional<std::string> frame = encodeLuaFrame(answer);
            if (!frame || !writeAll(output, *frame))
                return WorkerExitBroken;
            if (afterEach)
                afterEach();
        }
    }
}

} // namespace prophasis
