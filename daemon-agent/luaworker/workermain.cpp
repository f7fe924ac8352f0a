// prophasis-agent-lua: runs the agent's Lua plugins in a process of its own, so that a plugin
// that hangs inside C (pattern matching has no instruction hook) can be killed without taking
// the agent with it, and so that no run pays a process start. Plain C++ and Lua 5.4, no Qt.
//
// Protocol (stdin → requests, stdout → answers, one request at a time): frames of a 4-byte
// big-endian length and a UTF-8 JSON object of at most 16 MiB.
//   request  {"id": n, "plugin_id": s, "directory": absolute package folder,
//             "entry": .lua path relative to it, "arguments": {…}, "version": s,
//             "budget_instructions": n (default 50 million),
//             "memory_limit_bytes": n (default 32 MiB)}
//   answer   {"id": n, "value": number|null, "message": s,
//             "status": null|"ok"|"warning"|"critical"|"unknown",
//             "metrics": [{"name", "value", "unit"}], "truncated": bool,
//             "error": absent|"plugin_error"}
// Anything a plugin does wrong (syntax, runtime error, budget, memory, a bad result) is an answer
// with "error": "plugin_error" and a message naming the reason; the worker carries on. It exits
// with 0 at the end of stdin and with 2 on a malformed frame (bad length, not a JSON object, or
// cut off by the end of input). Its stderr carries plugin logs as "[plugin id] text" lines.
//
// The plugin contract: the script's main chunk returns a table
//   return {
//       value = 42.5,                      -- a number, or nil when nothing could be measured
//       message = "42.5 % used",           -- a string for people (4096 bytes are kept)
//       status = "ok",                     -- nil unless the plugin judges itself:
//                                          -- "ok", "warning", "critical" or "unknown"
//       metrics = {                        -- optional named numbers
//           load1 = 0.25,
//           ["/var"] = {value = 81, unit = "%"},
//       },
//   }
// Non-finite numbers (NaN, infinity) are dropped; at most 256 metrics are kept.
//
// The host API, the global table `prophasis`:
//   args                                  the run's arguments (a table)
//   read_file(path [, max_bytes])         → string | nil, err   (regular files; 1 MiB unless told)
//   list_dir(path)                        → sorted array of names | nil, err
//   run(argv [, {timeout_ms=, stdin=, max_output=}])
//       → {exit_code=, signal=, stdout=, stderr=, timed_out=, truncated=} | nil, err
//       The command starts directly (no shell, PATH lookup), in a session of its own, in the
//       package folder; on timeout (10 s unless told) its whole process group is killed; each
//       output is capped (256 KiB unless told); nothing of its group outlives the call.
//   os = {name=, hostname=, cpu_count=, page_size=}
//   now()                                 → seconds since the epoch (a float)
//   log(msg)                              → the worker's stderr (100 lines a run); print does the same
// Relative paths are taken inside the package folder.
//
// The sandbox: the base library without load, loadstring, dofile, loadfile, require and
// collectgarbage, plus string (without dump), table, math, utf8 and coroutine; no io, os, debug
// or package. setmetatable refuses __gc and __close, and xpcall's handler runs after the error
// is caught: all three would otherwise run plugin code with the instruction hook off. Scripts
// are loaded as text only. Each run gets a fresh environment with fresh copies of the
// libraries, so nothing leaks between runs or plugins; each (directory, entry, mtime) is
// compiled once. An instruction budget (a count hook that pcall cannot escape and that covers
// coroutines) and a memory cap (in the allocator) bound a run; a hang inside C is bounded by
// the agent killing this process.

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "daemon-agent/luaworker/childprocess.h"
#include "daemon-agent/luaworker/luaruntime.h"
#include "daemon-agent/luaworker/workerprotocol.h"
#include "shared/luasandbox/workerloop.h"

namespace prophasis {
namespace {

LuaWorkerResponse answerRequest(LuaRuntime &runtime, const std::string &payload, bool *malformed)
{
    LuaWorkerRequest request;
    std::string error;
    switch (parseLuaWorkerRequest(payload, &request, &error)) {
    case LuaRequestParse::Ok:
        return runtime.run(request);
    case LuaRequestParse::BadRequest:
        return LuaWorkerResponse::pluginError(request.id, "bad request: " + error);
    case LuaRequestParse::Malformed:
        break;
    }
    std::fprintf(stderr, "prophasis-agent-lua: %s\n", error.c_str());
    *malformed = true;
    return {};
}

int serve(int input, int output)
{
    LuaRuntime runtime;
    return serveFrames(
        input, output, "prophasis-agent-lua",
        [&runtime](const std::string &payload, std::string *answer) {
            bool malformed = false;
            const LuaWorkerResponse response = answerRequest(runtime, payload, &malformed);
            if (malformed)
                return false;
            *answer = serializeLuaWorkerResponse(response);
            return true;
        },
        reapOrphans);
}

} // namespace
} // namespace prophasis

int main()
{
#ifdef __linux__
    // Commands' orphaned children are re-parented here and reaped, instead of piling up as
    // zombies under whoever the agent's parent is.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
#endif
    int input = -1;
    int output = -1;
    if (!prophasis::takeProtocolChannels(&input, &output)) {
        std::fprintf(stderr, "prophasis-agent-lua: cannot set up stdin/stdout: %s\n", std::strerror(errno));
        return 1;
    }
    try {
        return prophasis::serve(input, output);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "prophasis-agent-lua: %s\n", e.what());
        return 1;
    }
}
