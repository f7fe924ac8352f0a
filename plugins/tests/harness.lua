-- Test harness for the bundled Lua plugins, run with the stand-alone interpreter:
--
--     lua5.4 plugins/tests/harness.lua plugins/<name>
--
-- It checks the plugin's manifest.json, then runs plugins/<name>/test.lua. The test file sees the
-- harness as the global `h` plus `test`, `eq`, `near`, `truthy`, `contains`. Plugins and
-- classifiers run in a sandbox like the real one (base without load/dofile/require, string
-- without dump, table, math, utf8; no io, os, debug, package), with a fake `prophasis` host API
-- that answers from fixtures. The harness itself may use io to read fixture files.
--
-- Classifiers get the helpers of the classifier contract in docs/PLUGIN_GUIDE.md from the core's
-- own daemon-core/classify/classifierhelpers.lua. When plugins/<name>/classifier_cases.json
-- exists, its cases run through the default classifier after test.lua (the core's tests run the
-- same file through the real classification worker).

local h = {}

local failures, passed = 0, 0

-- ---------------------------------------------------------------------------------------------
-- Small utilities

local function readWhole(path)
    local f, err = io.open(path, "rb")
    if not f then
        return nil, err
    end
    local data = f:read("a")
    f:close()
    return data
end
h.readWhole = readWhole

local function describe(v, depth)
    depth = depth or 0
    if type(v) == "string" then
        return string.format("%q", v)
    elseif type(v) ~= "table" or depth > 3 then
        return tostring(v)
    end
    local keys = {}
    for k in pairs(v) do
        keys[#keys + 1] = k
    end
    table.sort(keys, function(a, b)
        return tostring(a) < tostring(b)
    end)
    local parts = {}
    for _, k in ipairs(keys) do
        parts[#parts + 1] = tostring(k) .. "=" .. describe(v[k], depth + 1)
    end
    return "{" .. table.concat(parts, ", ") .. "}"
end
h.describe = describe

local function deepCopy(v)
    if type(v) ~= "table" then
        return v
    end
    local out = {}
    for k, x in pairs(v) do
        out[k] = deepCopy(x)
    end
    return out
end

-- ---------------------------------------------------------------------------------------------
-- A small JSON decoder, enough for manifest.json (objects, arrays, strings, numbers, literals).

local json = {}

function json.decode(text)
    local pos = 1
    local function fail(msg)
        error(string.format("JSON: %s at byte %d", msg, pos), 0)
    end
    local function skip()
        pos = text:find("[^ \t\r\n]", pos) or #text + 1
    end
    local value
    local function str()
        pos = pos + 1
        local out = {}
        while true do
            local c = text:sub(pos, pos)
            if c == "" then
                fail("unterminated string")
            elseif c == '"' then
                pos = pos + 1
                return table.concat(out)
            elseif c == "\\" then
                local e = text:sub(pos + 1, pos + 1)
                local map = { ['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n", r = "\r", t = "\t" }
                if map[e] then
                    out[#out + 1] = map[e]
                    pos = pos + 2
                elseif e == "u" then
                    local hex = text:sub(pos + 2, pos + 5)
                    if not hex:match("^%x%x%x%x$") then
                        fail("bad \\u escape")
                    end
                    out[#out + 1] = utf8.char(tonumber(hex, 16))
                    pos = pos + 6
                else
                    fail("bad escape")
                end
            else
                out[#out + 1] = c
                pos = pos + 1
            end
        end
    end
    function value()
        skip()
        local c = text:sub(pos, pos)
        if c == "{" then
            local obj = {}
            pos = pos + 1
            skip()
            if text:sub(pos, pos) == "}" then
                pos = pos + 1
                return obj
            end
            while true do
                skip()
                if text:sub(pos, pos) ~= '"' then
                    fail("expected a key")
                end
                local k = str()
                skip()
                if text:sub(pos, pos) ~= ":" then
                    fail("expected ':'")
                end
                pos = pos + 1
                if obj[k] ~= nil then
                    fail("duplicate key " .. k)
                end
                obj[k] = value()
                skip()
                local d = text:sub(pos, pos)
                pos = pos + 1
                if d == "}" then
                    return obj
                elseif d ~= "," then
                    fail("expected ',' or '}'")
                end
            end
        elseif c == "[" then
            local arr = {}
            pos = pos + 1
            skip()
            if text:sub(pos, pos) == "]" then
                pos = pos + 1
                return arr
            end
            while true do
                arr[#arr + 1] = value()
                skip()
                local d = text:sub(pos, pos)
                pos = pos + 1
                if d == "]" then
                    return arr
                elseif d ~= "," then
                    fail("expected ',' or ']'")
                end
            end
        elseif c == '"' then
            return str()
        elseif text:find("^true", pos) then
            pos = pos + 4
            return true
        elseif text:find("^false", pos) then
            pos = pos + 5
            return false
        elseif text:find("^null", pos) then
            pos = pos + 4
            return json.null
        else
            local num = text:match("^-?%d+%.?%d*[eE]?[-+]?%d*", pos)
            if not num or num == "" then
                fail("unexpected character")
            end
            pos = pos + #num
            return math.tointeger(tonumber(num)) or tonumber(num)
        end
    end
    local result = value()
    skip()
    if pos <= #text then
        fail("trailing data")
    end
    return result
end
json.null = setmetatable({}, { __tostring = function() return "null" end })
h.json = json

-- ---------------------------------------------------------------------------------------------
-- Assertions. A failed assertion raises; `test` catches it, reports and counts it.

local function fail(msg, level)
    error(msg, (level or 1) + 1)
end

function h.eq(actual, expected, what)
    if actual ~= expected then
        fail(string.format("%sexpected %s, got %s", what and (what .. ": ") or "", describe(expected),
            describe(actual)), 2)
    end
end

function h.near(actual, expected, tolerance, what)
    tolerance = tolerance or 1e-6
    if type(actual) ~= "number" or math.abs(actual - expected) > tolerance then
        fail(string.format("%sexpected %s ± %s, got %s", what and (what .. ": ") or "", tostring(expected),
            tostring(tolerance), describe(actual)), 2)
    end
end

function h.truthy(v, what)
    if not v then
        fail((what or "expected a true value") .. ", got " .. describe(v), 2)
    end
end

-- Plain substring test (no patterns), for messages.
function h.contains(haystack, needle, what)
    if type(haystack) ~= "string" or not haystack:find(needle, 1, true) then
        fail(string.format("%sexpected %s to contain %s", what and (what .. ": ") or "", describe(haystack),
            describe(needle)), 2)
    end
end

function h.test(name, fn)
    local ok, err = xpcall(fn, debug.traceback)
    if ok then
        passed = passed + 1
        print("ok - " .. name)
    else
        failures = failures + 1
        print("not ok - " .. name)
        print("  " .. tostring(err):gsub("\n", "\n  "))
    end
end

-- ---------------------------------------------------------------------------------------------
-- The plugin under test and its manifest

local VIEWS = { line = true, percent = true, state = true, messages = true }
local TYPES = { string = true, integer = true, number = true, boolean = true }

local function checkType(value, t)
    if t == "string" then
        return type(value) == "string"
    elseif t == "integer" then
        return math.type(value) == "integer"
    elseif t == "number" then
        return type(value) == "number" and value == value and value ~= math.huge and value ~= -math.huge
    elseif t == "boolean" then
        return type(value) == "boolean"
    end
    return false
end

-- What the manifest of a bundled Lua plugin must hold beyond the rules every plugin follows
-- (plugins/server/tests/run.lua has the server plugins' kind):
--   runtime   the runtime it must name
--   version   {pattern, message}
--   entry     function(m, dir) → whether m.entry is right, and the message when it is not
--   packaged  true when agents install it: 'platforms' and 'capabilities' must be listed
h.BUNDLED = {
    runtime = "lua",
    version = { "^1%.0%.0$", "'version' must be 1.0.0" },
    entry = function(m, dir)
        return readWhole(dir .. "/" .. m.entry) ~= nil, "'entry' names a missing file: " .. m.entry
    end,
    packaged = true,
}

-- Checks dir/manifest.json against shared/plugin/manifest.h, the rules every plugin here follows
-- and those of its kind (h.BUNDLED, above).
function h.checkManifest(dir, name, kind)
    local text = assert(readWhole(dir .. "/manifest.json"), "no manifest.json")
    local m = json.decode(text)
    local function need(cond, msg)
        if not cond then
            error("manifest.json: " .. msg, 0)
        end
    end
    for _, key in ipairs({ "id", "name", "description", "version", "runtime", "entry", "default_classifier" }) do
        need(type(m[key]) == "string" and m[key] ~= "", "'" .. key .. "' must be a non-empty string")
    end
    need(m.id == "org.prophasis." .. name, "'id' must be org.prophasis." .. name)
    need(m.id:match("^[a-z0-9][a-z0-9._-]*$") and #m.id <= 128, "'id' has characters agents refuse")
    need(m.version:match(kind.version[1]), kind.version[2])
    need(m.runtime == kind.runtime, "'runtime' must be " .. kind.runtime)
    need(kind.entry(m, dir))
    need(readWhole(dir .. "/" .. m.default_classifier) ~= nil, "'default_classifier' names a missing file")
    need(math.type(m.default_n_historical) == "integer" and m.default_n_historical >= 2
        and m.default_n_historical <= 1000, "'default_n_historical' must be a whole number from 2 to 1000")
    need(VIEWS[m.view], "'view' must be line, percent, state or messages")
    need(math.type(m.timeout_s) == "integer" and m.timeout_s >= 1 and m.timeout_s <= 3600,
        "'timeout_s' must be a whole number from 1 to 3600")
    if kind.packaged then
        need(type(m.platforms) == "table" and #m.platforms >= 1, "'platforms' must list the platforms")
        for _, p in ipairs(m.platforms) do
            need(type(p) == "string", "'platforms' must hold strings")
        end
        need(type(m.capabilities) == "table", "'capabilities' must be a list (empty when none is needed)")
        for _, c in ipairs(m.capabilities) do
            need(type(c) == "string" and c:match("^CAP_[A-Z0-9_]+$"), "bad capability " .. tostring(c))
        end
    end
    need(type(m.arguments) == "table", "'arguments' must be a list (empty when there are none)")
    local seen = {}
    for i, a in ipairs(m.arguments) do
        local where = "arguments[" .. i .. "]"
        need(type(a.name) == "string" and a.name:match("^[A-Za-z_][A-Za-z0-9_]*$"), where .. ": bad name")
        need(not seen[a.name], where .. ": duplicate name " .. a.name)
        seen[a.name] = true
        need(TYPES[a.type], where .. ": bad type")
        need(type(a.description) == "string" and #a.description >= 10, where .. ": needs a description")
        if a.default ~= nil and a.default ~= json.null then
            need(checkType(a.default, a.type), where .. ": default does not match the type")
        else
            need(a.required == true, where .. ": an argument without a default must be required")
        end
    end
    need(readWhole(dir .. "/README.md") ~= nil, "the plugin needs a README.md")
    return m
end

-- Defaults and type-checks arguments like resolveArguments() in shared/plugin/manifest.cpp.
local function resolveArguments(manifest, given)
    given = given or {}
    local declared, out = {}, {}
    for _, a in ipairs(manifest.arguments) do
        declared[a.name] = a
    end
    for k in pairs(given) do
        if not declared[k] then
            error("test gives unknown argument '" .. tostring(k) .. "'", 0)
        end
    end
    for _, a in ipairs(manifest.arguments) do
        local v = given[a.name]
        if v == nil and a.default ~= json.null then
            v = a.default
        end
        if v == nil then
            if a.required then
                error("argument '" .. a.name .. "' is required", 0)
            end
        else
            if not checkType(v, a.type) then
                error("argument '" .. a.name .. "' must be " .. a.type, 0)
            end
            out[a.name] = v
        end
    end
    return out
end

-- ---------------------------------------------------------------------------------------------
-- Sandbox

local BASE = { "assert", "error", "getmetatable", "ipairs", "next", "pairs", "pcall", "rawequal", "rawget",
    "rawlen", "rawset", "select", "setmetatable", "tonumber", "tostring", "type", "xpcall", "_VERSION" }

local function sandbox()
    local env = {}
    for _, k in ipairs(BASE) do
        env[k] = _G[k]
    end
    local s = {}
    for k, v in pairs(string) do
        if k ~= "dump" then
            s[k] = v
        end
    end
    env.string = s
    env.table = deepCopy(table)
    env.math = deepCopy(math)
    env.utf8 = deepCopy(utf8)
    env.coroutine = deepCopy(coroutine)
    env._G = env
    return env
end

local function loadChunk(path, env)
    local source = assert(readWhole(path))
    local chunk, err = load(source, "@" .. path, "t", env)
    if not chunk then
        error("does not compile: " .. err, 0)
    end
    return chunk
end

-- ---------------------------------------------------------------------------------------------
-- The fake host API

local function argvKey(argv)
    return table.concat(argv, "\0")
end

-- A command fixture: h.cmd({"df", "-P", "-k", "--", "/"}, {exit_code = 0, stdout = "..."}).
function h.cmd(argv, result)
    return { argv = argv, result = result }
end

-- Runs the plugin's entry once (h.dir, h.manifest: the plugin under test). spec fields (all optional):
--   args      plugin arguments (defaulted and checked against the manifest)
--   files     path → content; path → false for a file that cannot be read (permission denied)
--   dirs      path → array of names
--   commands  array of h.cmd(...), or a function(argv, opts) → result | nil, err
--   os        fields merged into prophasis.os (default linux, host "testhost", 4 CPUs)
--   now       prophasis.now() (default 1700000000.0)
--   state_dir prophasis.state_dir (absent unless given)
--   write_file true to offer prophasis.write_file (writes land in spec.files)
-- Returns the result table and a record {runs = {{argv, opts}}, reads = {...}, logs = {...}}.
function h.run(spec)
    spec = spec or {}
    local files = spec.files or {}
    local record = { runs = {}, reads = {}, logs = {}, writes = {} }
    local fixtures = {}
    if type(spec.commands) == "table" then
        for _, c in ipairs(spec.commands) do
            fixtures[argvKey(c.argv)] = c.result
        end
    end
    local osFacts = { name = "linux", hostname = "testhost", cpu_count = 4, page_size = 4096 }
    for k, v in pairs(spec.os or {}) do
        osFacts[k] = v
    end
    local api = {
        args = resolveArguments(h.manifest, spec.args),
        os = osFacts,
        state_dir = spec.state_dir,
    }
    function api.read_file(path, maxBytes)
        assert(type(path) == "string", "read_file: path must be a string")
        record.reads[#record.reads + 1] = path
        local content = files[path]
        if content == nil then
            return nil, path .. ": No such file or directory"
        elseif content == false then
            return nil, path .. ": Permission denied"
        end
        if maxBytes then
            content = content:sub(1, maxBytes)
        end
        return content
    end
    function api.list_dir(path)
        local names = spec.dirs and spec.dirs[path]
        if not names then
            return nil, path .. ": No such file or directory"
        end
        return deepCopy(names)
    end
    function api.run(argv, opts)
        assert(type(argv) == "table" and #argv >= 1, "run: argv must be a non-empty table")
        for i, a in ipairs(argv) do
            assert(type(a) == "string", "run: argv[" .. i .. "] must be a string")
        end
        record.runs[#record.runs + 1] = { argv = deepCopy(argv), opts = deepCopy(opts or {}) }
        local result, err
        if type(spec.commands) == "function" then
            result, err = spec.commands(argv, opts or {})
        else
            result = fixtures[argvKey(argv)]
            if result == nil then
                err = argv[1] .. ": No such file or directory"
            end
        end
        if result == nil then
            return nil, err
        end
        -- Like the runtime: exit_code for a normal exit, signal (and no exit_code) when killed.
        local out = { stdout = "", stderr = "", timed_out = false, truncated = false }
        for k, v in pairs(result) do
            out[k] = v
        end
        if out.timed_out and out.exit_code == nil and out.signal == nil then
            out.signal = 9
        end
        if out.signal == nil and out.exit_code == nil then
            out.exit_code = 0
        end
        assert(out.signal == nil or out.exit_code == nil, "test gives both exit_code and signal")
        return out
    end
    function api.now()
        return spec.now or 1700000000.0
    end
    function api.log(msg)
        record.logs[#record.logs + 1] = tostring(msg)
    end
    if spec.write_file then
        function api.write_file(path, content)
            record.writes[#record.writes + 1] = { path = path, content = content }
            files[path] = content
            return true
        end
    end

    local env = sandbox()
    env.prophasis = api
    local chunk = loadChunk(h.dir .. "/" .. h.manifest.entry, env)
    local ok, result = pcall(chunk)
    if not ok then
        error("the plugin raised an error: " .. tostring(result), 2)
    end
    h.checkResult(result)
    return result, record
end

local STATUSES = { ok = true, warning = true, critical = true, unknown = true }

-- A run result as the runtime accepts it.
function h.checkResult(r)
    local function need(cond, msg)
        if not cond then
            error("bad result " .. describe(r) .. ": " .. msg, 3)
        end
    end
    need(type(r) == "table", "the chunk must return a table")
    need(r.value == nil or (type(r.value) == "number" and r.value == r.value and math.abs(r.value) ~= math.huge),
        "value must be a finite number or nil")
    need(type(r.message) == "string" and r.message ~= "", "message must be a non-empty string")
    need(#r.message <= 4096, "message longer than 4096 characters")
    need(r.status == nil or STATUSES[r.status], "bad status")
    need(r.metrics == nil or type(r.metrics) == "table", "metrics must be a table")
    for k, v in pairs(r.metrics or {}) do
        need(type(k) == "string" and k ~= "", "metric names must be strings")
        local n = type(v) == "table" and v.value or v
        need(type(n) == "number" and n == n and math.abs(n) ~= math.huge, "metric " .. k .. " is not a finite number")
        if type(v) == "table" then
            need(type(v.unit) == "string", "metric " .. k .. " has no unit")
        end
    end
end

-- The number of a metric, whether given plain or as {value, unit}.
function h.metric(r, name)
    local v = r.metrics and r.metrics[name]
    if type(v) == "table" then
        return v.value, v.unit
    end
    return v
end

-- Reads plugins/<name>/fixtures/<file>.
function h.fixture(file)
    local data, err = readWhole(h.dir .. "/fixtures/" .. file)
    if not data then
        error("missing fixture: " .. tostring(err), 2)
    end
    return data
end

-- ---------------------------------------------------------------------------------------------
-- Classifier helpers: the core's own implementation (daemon-core/classify/classifierhelpers.lua,
-- embedded into prophasis-core-classifier), so these tests and the core run the same code.

local HERE = (debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$")) or "."
local helpers = dofile(HERE .. "/../../daemon-core/classify/classifierhelpers.lua")
h.helpers = helpers

-- ---------------------------------------------------------------------------------------------
-- Classifier runs

local RESULT_TYPES = { success = true, connection_error = true, timeout = true, tls_error = true,
    request_error = true, plugin_error = true }
local CLASSES = { ok = true, minor = true, major = true, critical = true, unknown = true }

-- A successful result: h.success(42, {load1 = 0.5}, "message").
function h.success(value, metrics, message)
    return { type = "success", value = value, metrics = metrics or {}, message = message or "measured" }
end

-- A failed run: h.failure("timeout").
function h.failure(kind, message)
    return { type = kind or "connection_error", metrics = {}, message = message or "the agent did not answer" }
end

-- Runs the default classifier. spec: results (oldest first; time filled in one minute apart when
-- absent), args (defaulted from the manifest), vars (strings), others (plugin id → result),
-- classifier (another file).
-- Returns the classification; anything but the five names fails the test.
function h.classify(spec)
    local window = deepCopy(spec.results or {})
    for i, r in ipairs(window) do
        r.time = r.time or (1700000000 + 60 * i)
        r.metrics = r.metrics or {}
        r.message = r.message or ""
        assert(RESULT_TYPES[r.type], "test gives a result with a bad type: " .. tostring(r.type))
    end
    local env = sandbox()
    -- Like the core's worker, where one classifier's runs share one set of libraries.
    for _, name in ipairs({ "string", "table", "math", "utf8", "coroutine" }) do
        local lib = env[name]
        env[name] = setmetatable({}, {
            __index = lib,
            __newindex = function()
                error("the " .. name .. " library is read-only", 2)
            end,
            __pairs = function()
                return next, lib, nil
            end,
            __metatable = false,
        })
    end
    env.results = window
    env.args = resolveArguments(h.manifest, spec.args)
    local vars = {}
    for k, v in pairs(spec.vars or {}) do
        assert(type(v) == "string", "host variables are strings")
        vars[k] = v
    end
    env.vars = vars
    env.others = deepCopy(spec.others or {})
    for k, f in pairs(helpers) do
        env[k] = f
    end
    env.trend = function(t, sel)
        return helpers.trend(t or window, sel)
    end
    env.failureRule = function(t)
        return helpers.failureRule(t or window)
    end
    local chunk = loadChunk(h.dir .. "/" .. (spec.classifier or h.manifest.default_classifier), env)
    local ok, class = pcall(chunk)
    if not ok then
        error("the classifier raised an error: " .. tostring(class), 2)
    end
    if not CLASSES[class] then
        error("the classifier returned " .. describe(class) .. ", not a classification", 2)
    end
    return class
end

-- The failure rule every default classifier shares: two or more failed runs in a row at the
-- end of the window → critical; a single one → unknown; a success after failures is judged on
-- its own. `good` is a result the plugin's rule calls ok.
function h.failureRuleTests(good, args)
    h.test("classifier: a healthy result is ok", function()
        h.eq(h.classify { results = { good, good }, args = args }, "ok")
    end)
    for _, kind in ipairs({ "connection_error", "timeout", "tls_error", "request_error", "plugin_error" }) do
        h.test("classifier: two " .. kind .. " results in a row are critical", function()
            h.eq(h.classify { results = { good, h.failure(kind), h.failure(kind) }, args = args }, "critical")
        end)
    end
    h.test("classifier: one failed run is unknown", function()
        h.eq(h.classify { results = { good, good, h.failure("timeout") }, args = args }, "unknown")
        h.eq(h.classify { results = { h.failure("timeout") }, args = args }, "unknown")
    end)
    h.test("classifier: failures not at the end do not count", function()
        h.eq(h.classify { results = { h.failure("timeout"), h.failure("timeout"), good }, args = args }, "ok")
    end)
    h.test("classifier: a run that could not measure is unknown", function()
        h.eq(h.classify { results = { good, h.success(nil, {}, "could not read") }, args = args }, "unknown")
    end)
end

-- ---------------------------------------------------------------------------------------------
-- classifier_cases.json: fixture series for the default classifier, shared with the core's tests
-- (tests/classify), which run them through the real classification worker. The file holds
-- {"args": {…}, "cases": [{"name", "results", "args", "vars", "others", "expect"}]} (a case's
-- args over the file's, both over the manifest's defaults); each result is
-- {"type" (default success), "value" (absent or null: none), "message", "status", "metrics",
-- "time" (default one minute apart)}.

local function withoutNulls(v)
    if v == json.null then
        return nil
    elseif type(v) ~= "table" then
        return v
    end
    local out = {}
    for k, x in pairs(v) do
        out[k] = withoutNulls(x)
    end
    return out
end

function h.classifierCases()
    local text = readWhole(h.dir .. "/classifier_cases.json")
    if not text then
        return 0
    end
    local ok, doc = pcall(json.decode, text)
    if not ok then
        h.test("classifier_cases.json", function()
            error(doc, 0)
        end)
        return 0
    end
    doc = withoutNulls(doc)
    for i, case in ipairs(doc.cases or {}) do
        h.test("classifier case: " .. tostring(case.name or i), function()
            local results = {}
            for j, r in ipairs(case.results or {}) do
                results[j] = {
                    type = r.type or "success",
                    value = r.value,
                    message = r.message,
                    status = r.status,
                    metrics = r.metrics,
                    time = r.time,
                }
            end
            local args = deepCopy(doc.args or {})
            for k, v in pairs(case.args or {}) do
                args[k] = v
            end
            h.eq(h.classify { results = results, args = args, vars = case.vars, others = case.others }, case.expect)
        end)
    end
    return #(doc.cases or {})
end

-- ---------------------------------------------------------------------------------------------
-- Runner

-- Sandboxed code for the harness's own tests (tests/test_harness.lua).
h.sandbox = sandbox
h.loadChunk = loadChunk

-- Runs a test file with `h` and its assertions as globals; false when it cannot be loaded.
local function runTestFile(testFile)
    local env = setmetatable({ h = h, test = h.test, eq = h.eq, near = h.near, truthy = h.truthy,
        contains = h.contains }, { __index = _G })
    local chunk, err = loadfile(testFile, "t", env)
    if not chunk then
        print("not ok - load " .. testFile .. ": " .. tostring(err))
        return false
    end
    local okRun, runErr = xpcall(chunk, debug.traceback)
    if not okRun then
        failures = failures + 1
        print("not ok - " .. testFile .. " stopped: " .. tostring(runErr))
    end
    return true
end

local function finish(label)
    print(string.format("# %s: %d passed, %d failed", label, passed, failures))
    os.exit(failures == 0 and passed > 1 and 0 or 1)
end

-- Tests one plugin folder and exits with the outcome: its manifest (h.checkManifest with `kind`),
-- its test.lua, then its classifier_cases.json. `label` names it in the summary (default: the
-- folder's name).
function h.runPlugin(dir, kind, label)
    dir = dir:gsub("/+$", "")
    h.dir = dir
    h.name = dir:match("([^/]+)$")
    local ok, m = pcall(h.checkManifest, dir, h.name, kind)
    if not ok then
        print("not ok - manifest: " .. tostring(m))
        os.exit(1)
    end
    h.manifest = m
    print("ok - manifest of " .. m.id)
    passed = passed + 1
    if not runTestFile(dir .. "/test.lua") then
        os.exit(1)
    end
    h.classifierCases()
    finish(label or h.name)
end

local function main(dir)
    if not dir then
        io.stderr:write("usage: lua5.4 harness.lua PLUGIN_DIR | --self-test\n")
        os.exit(2)
    end
    if dir ~= "--self-test" then
        h.runPlugin(dir, h.BUNDLED) -- does not return
    end
    local here = arg[0]:match("^(.*)/[^/]*$") or "."
    h.name = "harness"
    if not runTestFile(here .. "/test_harness.lua") then
        os.exit(1)
    end
    finish(h.name)
end

if arg and arg[0] and arg[0]:match("harness%.lua$") then
    main(arg[1])
end

return h
