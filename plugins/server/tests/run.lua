-- Runs the tests of one server-side plugin (plugins/server/<name>) with the bundled plugins'
-- harness, plugins/tests/harness.lua, loaded as a module:
--
--     lua5.4 plugins/server/tests/run.lua plugins/server/<name>
--
-- Server plugins have no Lua entry (the core runs them, see daemon-core/serverchecks), so the
-- harness's manifest check for bundled Lua plugins does not apply: this file checks their
-- manifest instead, then runs <name>/test.lua with the harness's `h` (h.classify,
-- h.failureRuleTests, h.success, h.failure) and its assertions, then the cases of
-- <name>/classifier_cases.json.

local here = arg[0]:match("^(.*)/[^/]*$") or "."
local h = dofile(here .. "/../../tests/harness.lua")

local KINDS = { http = true, tcp = true, ping = true, dns = true }
local VIEWS = { line = true, percent = true, state = true, messages = true }
local TYPES = { string = true, integer = true, number = true, boolean = true }

local function readWhole(path)
    local f = io.open(path, "rb")
    if not f then
        return nil
    end
    local data = f:read("a")
    f:close()
    return data
end

local function checkManifest(dir, name)
    local m = h.json.decode(assert(readWhole(dir .. "/manifest.json"), "no manifest.json"))
    local function need(cond, msg)
        if not cond then
            error("manifest.json: " .. msg, 0)
        end
    end
    for _, key in ipairs({ "id", "name", "description", "version", "runtime", "entry", "default_classifier" }) do
        need(type(m[key]) == "string" and m[key] ~= "", "'" .. key .. "' must be a non-empty string")
    end
    need(m.id == "org.prophasis." .. name, "'id' must be org.prophasis." .. name)
    need(m.runtime == "server", "'runtime' must be server")
    need(KINDS[m.entry], "'entry' must name a check the core runs: http, tcp, ping or dns")
    need(m.version:match("^%d+%.%d+%.%d+$"), "'version' must be like 1.0.0")
    need(readWhole(dir .. "/" .. m.default_classifier) ~= nil, "'default_classifier' names a missing file")
    need(math.type(m.default_n_historical) == "integer" and m.default_n_historical >= 2
        and m.default_n_historical <= 1000, "'default_n_historical' must be a whole number from 2 to 1000")
    need(VIEWS[m.view], "'view' must be line, percent, state or messages")
    need(math.type(m.timeout_s) == "integer" and m.timeout_s >= 1 and m.timeout_s <= 3600,
        "'timeout_s' must be a whole number from 1 to 3600")
    need(type(m.arguments) == "table", "'arguments' must be a list")
    local seen = {}
    for i, a in ipairs(m.arguments) do
        local where = "arguments[" .. i .. "]"
        need(type(a.name) == "string" and a.name:match("^[A-Za-z_][A-Za-z0-9_]*$"), where .. ": bad name")
        need(not seen[a.name], where .. ": duplicate name " .. a.name)
        seen[a.name] = true
        need(TYPES[a.type], where .. ": bad type")
        need(type(a.description) == "string" and #a.description >= 10, where .. ": needs a description")
        need(a.default ~= nil or a.required == true, where .. ": an argument without a default must be required")
    end
    need(readWhole(dir .. "/README.md") ~= nil, "the plugin needs a README.md")
    return m
end

local dir = arg[1]
if not dir then
    io.stderr:write("usage: lua5.4 run.lua plugins/server/<name>\n")
    os.exit(2)
end
dir = dir:gsub("/+$", "")
h.dir = dir
h.name = dir:match("([^/]+)$")

local passed, failed = 0, 0
local harnessTest = h.test
-- Counts here, prints through the harness (h.failureRuleTests calls h.test too).
h.test = function(name, fn)
    local finished = false
    harnessTest(name, function()
        fn()
        finished = true
    end)
    if finished then
        passed = passed + 1
    else
        failed = failed + 1
    end
end

h.test("manifest", function()
    h.manifest = checkManifest(dir, h.name)
end)
if h.manifest then
    local env = setmetatable({ h = h, test = h.test, eq = h.eq, near = h.near, truthy = h.truthy,
        contains = h.contains }, { __index = _G })
    local chunk, err = loadfile(dir .. "/test.lua", "t", env)
    if not chunk then
        print("not ok - load " .. dir .. "/test.lua: " .. tostring(err))
        failed = failed + 1
    else
        local ok, runErr = xpcall(chunk, debug.traceback)
        if not ok then
            print("not ok - " .. dir .. "/test.lua stopped: " .. tostring(runErr))
            failed = failed + 1
        end
    end
    -- <name>/classifier_cases.json: the fixture series tests/serverchecks also runs through the
    -- core's real classification worker.
    if h.classifierCases then
        h.classifierCases()
    end
end
print(string.format("# server/%s: %d passed, %d failed", h.name, passed, failed))
os.exit(failed == 0 and passed > 1 and 0 or 1)
