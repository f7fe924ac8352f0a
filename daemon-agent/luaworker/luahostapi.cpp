#include "daemon-agent/luaworker/luahostapi.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

#include <dirent.h>
#include <fcntl.h>
#include <lua.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon-agent/luaworker/posixfd.h"

namespace prophasis {

namespace {

// Every host function is a closure over the context (a light userdata upvalue).
LuaHostContext *contextOf(lua_State *L)
{
    return static_cast<LuaHostContext *>(lua_touserdata(L, lua_upvalueindex(1)));
}

int pushFailure(lua_State *L, const std::string &message)
{
    lua_pushnil(L);
    lua_pushlstring(L, message.data(), message.size());
    return 2;
}

// Relative paths are taken inside the plugin's package folder.
bool resolvePath(LuaHostContext *context, const char *path, std::size_t length)
{
    if (std::strlen(path) != length || length == 0) {
        context->error = "the path is empty or contains a NUL byte";
        return false;
    }
    if (path[0] == '/')
        context->path.assign(path, length);
    else
        context->path.assign(context->directory).append("/").append(path, length);
    return true;
}

bool listDirectory(const std::string &path, std::vector<std::string> *names, std::string *error)
{
    DIR *dir = ::opendir(path.c_str());
    if (!dir) {
        *error = "cannot list " + path + ": " + std::strerror(errno);
        return false;
    }
    names->clear();
    while (names->size() < MaxListDirEntries) {
        const dirent *entry = ::readdir(dir);
        if (!entry)
            break;
        if (std::strcmp(entry->d_name, ".") != 0 && std::strcmp(entry->d_name, "..") != 0)
            names->emplace_back(entry->d_name);
    }
    ::closedir(dir);
    std::sort(names->begin(), names->end());
    return true;
}

void pushJson(lua_State *L, const nlohmann::json &value, int depth)
{
    if (depth > MaxArgumentDepth)
        luaL_error(L, "the plugin's arguments nest deeper than %d levels", MaxArgumentDepth);
    luaL_checkstack(L, 3, "the plugin's arguments nest too deeply");
    switch (value.type()) {
    case nlohmann::json::value_t::boolean:
        lua_pushboolean(L, value.get<bool>());
        break;
    case nlohmann::json::value_t::number_integer:
        lua_pushinteger(L, value.get<std::int64_t>());
        break;
    case nlohmann::json::value_t::number_unsigned:
        if (value.get<std::uint64_t>() <= static_cast<std::uint64_t>(LUA_MAXINTEGER))
            lua_pushinteger(L, static_cast<lua_Integer>(value.get<std::uint64_t>()));
        else
            lua_pushnumber(L, value.get<double>());
        break;
    case nlohmann::json::value_t::number_float:
        lua_pushnumber(L, value.get<double>());
        break;
    case nlohmann::json::value_t::string: {
        const std::string &text = value.get_ref<const std::string &>();
        lua_pushlstring(L, text.data(), text.size());
        break;
    }
    case nlohmann::json::value_t::array: {
        lua_createtable(L, static_cast<int>(std::min<std::size_t>(value.size(), 1 << 20)), 0);
        lua_Integer index = 1;
        for (const nlohmann::json &item : value) {
            pushJson(L, item, depth + 1);
            lua_rawseti(L, -2, index++);
        }
        break;
    }
    case nlohmann::json::value_t::object:
        lua_createtable(L, 0, static_cast<int>(std::min<std::size_t>(value.size(), 1 << 20)));
        for (auto item = value.begin(); item != value.end(); ++item) {
            lua_pushlstring(L, item.key().data(), item.key().size());
            pushJson(L, item.value(), depth + 1);
            lua_rawset(L, -3);
        }
        break;
    default: // null, binary
        lua_pushnil(L);
        break;
    }
}

int hostReadFile(lua_State *L)
{
    LuaHostContext *context = contextOf(L);
    std::size_t length = 0;
    const char *path = luaL_checklstring(L, 1, &length);
    const lua_Integer maxBytes = luaL_optinteger(L, 2, static_cast<lua_Integer>(DefaultReadFileBytes));
    luaL_argcheck(L, maxBytes >= 0 && maxBytes <= static_cast<lua_Integer>(MaxReadFileBytes), 2,
                  "must be from 0 to 16 MiB");
    if (!resolvePath(context, path, length) ||
        !readRegularFile(context->path, static_cast<std::size_t>(maxBytes), &context->buffer,
                         &context->error))
        return pushFailure(L, context->error);
    lua_pushlstring(L, context->buffer.data(), context->buffer.size());
    return 1;
}

// prophasis.write_file(name, content): the plugin's only way to write, and only a plain file
// name inside its own state folder (e.g. log_match's read position), replaced atomically.
int hostWriteFile(lua_State *L)
{
    LuaHostContext *context = contextOf(L);
    std::size_t nameLength = 0;
    std::size_t contentLength = 0;
    const char *name = luaL_checklstring(L, 1, &nameLength);
    const char *content = luaL_checklstring(L, 2, &contentLength);
    if (context->stateDirectory.empty())
        return pushFailure(L, "this run has no state folder to write to");
    const std::string fileName(name, nameLength);
    if (fileName.empty() || fileName.size() > 128 || fileName.find('/') != std::string::npos ||
        fileName.find('\0') != std::string::npos || fileName == "." || fileName == ".." || fileName.front() == '.')
        return pushFailure(L, "write_file takes a plain file name (no folders, not hidden) inside the state folder");
    if (contentLength > MaxWriteFileBytes)
        return pushFailure(L, "write_file writes at most 1 MiB");
    context->path.assign(context->stateDirectory).append("/").append(fileName);
    const std::string temporary = context->path + ".tmp";
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return pushFailure(L, "cannot write " + context->path + ": " + std::strerror(errno));
    std::size_t written = 0;
    while (written < contentLength) {
        const ssize_t n = ::write(fd, content + written, contentLength - written);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        written += static_cast<std::size_t>(n);
    }
    const bool complete = written == contentLength && ::fsync(fd) == 0;
    ::close(fd);
    if (!complete || ::rename(temporary.c_str(), context->path.c_str()) != 0) {
        const std::string reason = std::strerror(errno);
        ::unlink(temporary.c_str());
        return pushFailure(L, "cannot write " + context->path + ": " + reason);
    }
    lua_pushboolean(L, 1);
    return 1;
}

int hostListDir(lua_State *L)
{
    LuaHostContext *context = contextOf(L);
    std::size_t length = 0;
    const char *path = luaL_checklstring(L, 1, &length);
    if (!resolvePath(context, path, length) ||
        !listDirectory(context->path, &context->names, &context->error))
        return pushFailure(L, context->error);
    lua_createtable(L, static_cast<int>(context->names.size()), 0);
    lua_Integer index = 1;
    for (const std::string &name : context->names) {
        lua_pushlstring(L, name.data(), name.size());
        lua_rawseti(L, -2, index++);
    }
    return 1;
}

// Reads an optional integer field of run()'s options table; leaves the stack as it was.
lua_Integer optionalIntegerField(lua_State *L, const char *key, lua_Integer fallback, lua_Integer min,
                                 lua_Integer max)
{
    lua_getfield(L, 2, key);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return fallback;
    }
    int isInteger = 0;
    const lua_Integer value = lua_tointegerx(L, -1, &isInteger);
    if (!isInteger || value < min || value > max)
        luaL_error(L, "run: %s must be an integer from %I to %I", key, min, max);
    lua_pop(L, 1);
    return value;
}

int hostRun(lua_State *L)
{
    LuaHostContext *context = contextOf(L);
    luaL_checktype(L, 1, LUA_TTABLE);
    const lua_Unsigned count = lua_rawlen(L, 1);
    luaL_argcheck(L, count >= 1 && count <= MaxChildArguments, 1, "must be a list of 1 to 4096 strings");
    context->argv.clear();
    for (lua_Integer i = 1; i <= static_cast<lua_Integer>(count); ++i) {
        lua_rawgeti(L, 1, i);
        std::size_t length = 0;
        const char *arg = lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER
                              ? lua_tolstring(L, -1, &length)
                              : nullptr;
        if (!arg || std::strlen(arg) != length)
            luaL_error(L, "run: argument %I must be a string without NUL bytes", i);
        context->argv.emplace_back(arg, length);
        lua_pop(L, 1);
    }

    ChildProcessOptions &options = context->processOptions;
    options = ChildProcessOptions{};
    options.workingDirectory = context->directory;
    if (!lua_isnoneornil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        options.timeoutMs = static_cast<int>(
            optionalIntegerField(L, "timeout_ms", DefaultChildTimeoutMs, 1, MaxChildTimeoutMs));
        options.maxOutputBytes = static_cast<std::size_t>(
            optionalIntegerField(L, "max_output", static_cast<lua_Integer>(DefaultChildOutputBytes), 0,
                                 static_cast<lua_Integer>(MaxChildOutputBytes)));
        // Stays on the stack while the command runs, so the view below remains valid.
        if (lua_getfield(L, 2, "stdin") != LUA_TNIL) {
            if (lua_type(L, -1) != LUA_TSTRING)
                luaL_error(L, "run: stdin must be a string");
            std::size_t length = 0;
            const char *input = lua_tolstring(L, -1, &length);
            options.hasInput = true;
            options.input = std::string_view(input, length);
        }
    }

    runChildProcess(context->argv, options, &context->process);
    options.input = {};
    const ChildProcessResult &process = context->process;
    if (!process.started)
        return pushFailure(L, process.startError);
    lua_createtable(L, 0, 6);
    if (process.signal == 0) {
        lua_pushinteger(L, process.exitCode);
        lua_setfield(L, -2, "exit_code");
    } else {
        lua_pushinteger(L, process.signal);
        lua_setfield(L, -2, "signal");
    }
    lua_pushlstring(L, process.standardOutput.data(), process.standardOutput.size());
    lua_setfield(L, -2, "stdout");
    lua_pushlstring(L, process.standardError.data(), process.standardError.size());
    lua_setfield(L, -2, "stderr");
    lua_pushboolean(L, process.timedOut);
    lua_setfield(L, -2, "timed_out");
    lua_pushboolean(L, process.truncated);
    lua_setfield(L, -2, "truncated");
    return 1;
}

int hostNow(lua_State *L)
{
    const auto sinceEpoch = std::chrono::system_clock::now().time_since_epoch();
    lua_pushnumber(L, std::chrono::duration<double>(sinceEpoch).count());
    return 1;
}

int hostLog(lua_State *L)
{
    std::size_t length = 0;
    const char *text = luaL_tolstring(L, 1, &length);
    contextOf(L)->writeLog(text, length);
    return 0;
}

int sandboxPrint(lua_State *L)
{
    const int count = lua_gettop(L);
    luaL_Buffer buffer;
    luaL_buffinit(L, &buffer);
    for (int i = 1; i <= count; ++i) {
        if (i > 1)
            luaL_addchar(&buffer, '\t');
        luaL_tolstring(L, i, nullptr);
        luaL_addvalue(&buffer);
    }
    luaL_pushresult(&buffer);
    std::size_t length = 0;
    const char *text = lua_tolstring(L, -1, &length);
    contextOf(L)->writeLog(text, length);
    return 0;
}

void pushClosure(lua_State *L, LuaHostContext *context, lua_CFunction function)
{
    lua_pushlightuserdata(L, context);
    lua_pushcclosure(L, function, 1);
}

} // namespace

bool readRegularFile(const std::string &path, std::size_t maxBytes, std::string *out, std::string *error)
{
    // O_NONBLOCK: opening a FIFO must not hang the worker; it is refused below anyway.
    PosixFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (!fd.valid()) {
        *error = "cannot open " + path + ": " + std::strerror(errno);
        return false;
    }
    struct stat info;
    if (::fstat(fd.get(), &info) != 0 || !S_ISREG(info.st_mode)) {
        *error = path + " is not a regular file";
        return false;
    }
    out->clear();
    constexpr std::size_t Chunk = 64 * 1024;
    while (out->size() < maxBytes) {
        const std::size_t old = out->size();
        out->resize(old + std::min(Chunk, maxBytes - old));
        const ssize_t n = ::read(fd.get(), out->data() + old, out->size() - old);
        if (n < 0 && errno == EINTR) {
            out->resize(old);
            continue;
        }
        if (n < 0) {
            *error = "cannot read " + path + ": " + std::strerror(errno);
            return false;
        }
        out->resize(old + static_cast<std::size_t>(n));
        if (n == 0)
            break;
    }
    return true;
}

LuaOsFacts LuaOsFacts::current()
{
    LuaOsFacts facts;
#if defined(__linux__)
    facts.name = "linux";
#elif defined(__APPLE__)
    facts.name = "macos";
#elif defined(__FreeBSD__)
    facts.name = "freebsd";
#elif defined(__OpenBSD__)
    facts.name = "openbsd";
#elif defined(__NetBSD__)
    facts.name = "netbsd";
#elif defined(_WIN32)
    facts.name = "windows";
#else
    facts.name = "unknown";
#endif
    char hostname[256] = {};
    if (::gethostname(hostname, sizeof hostname - 1) == 0)
        facts.hostname = hostname;
    facts.cpuCount = std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN));
    facts.pageSize = std::max(1L, ::sysconf(_SC_PAGESIZE));
    return facts;
}

void LuaHostContext::beginRun(const std::string &plugin, const std::string &folder, const std::string &stateFolder)
{
    pluginId = plugin;
    directory = folder;
    stateDirectory = stateFolder;
    logLines = 0;
}

void LuaHostContext::endRun()
{
    constexpr std::size_t KeepBytes = 64 * 1024;
    for (std::string *text : {&buffer, &process.standardOutput, &process.standardError}) {
        if (text->capacity() > KeepBytes)
            std::string().swap(*text);
        text->clear();
    }
    std::vector<std::string>().swap(names);
    std::vector<std::string>().swap(argv);
}

void LuaHostContext::writeLog(const char *text, std::size_t length)
{
    if (logLines > MaxLogLinesPerRun)
        return;
    if (logLines++ == MaxLogLinesPerRun) {
        std::fprintf(stderr, "[%s] further log messages of this run are dropped\n", pluginId.c_str());
        return;
    }
    std::fprintf(stderr, "[%s] %.*s\n", pluginId.c_str(), static_cast<int>(std::min(length, MaxLogLineBytes)),
                 text);
}

void pushHostApi(lua_State *L, LuaHostContext *context, const nlohmann::json &arguments)
{
    lua_createtable(L, 0, 8);
    pushJson(L, arguments, 0);
    lua_setfield(L, -2, "args");

    lua_createtable(L, 0, 4);
    lua_pushlstring(L, context->os.name.data(), context->os.name.size());
    lua_setfield(L, -2, "name");
    lua_pushlstring(L, context->os.hostname.data(), context->os.hostname.size());
    lua_setfield(L, -2, "hostname");
    lua_pushinteger(L, context->os.cpuCount);
    lua_setfield(L, -2, "cpu_count");
    lua_pushinteger(L, context->os.pageSize);
    lua_setfield(L, -2, "page_size");
    lua_setfield(L, -2, "os");

    if (!context->stateDirectory.empty()) {
        lua_pushlstring(L, context->stateDirectory.data(), context->stateDirectory.size());
        lua_setfield(L, -2, "state_dir");
    }
    const std::pair<const char *, lua_CFunction> functions[] = {
        {"read_file", hostReadFile},
        {"write_file", hostWriteFile},
        {"list_dir", hostListDir},
        {"run", hostRun},
        {"now", hostNow},
        {"log", hostLog},
    };
    for (const auto &[name, function] : functions) {
        pushClosure(L, context, function);
        lua_setfield(L, -2, name);
    }
}

void pushSandboxPrint(lua_State *L, LuaHostContext *context)
{
    pushClosure(L, context, sandboxPrint);
}

} // namespace prophasis
