-- Runs the tests of one server-side plugin (plugins/server/<name>) with the bundled plugins'
-- harness, plugins/tests/harness.lua, loaded as a module:
--
--     lua5.4 plugins/server/tests/run.lua plugins/server/<name>
--
-- Server plugins have no Lua entry (the core runs them, see daemon-core/serverchecks), so their
-- manifests follow the rules of their own kind (below); otherwise the harness tests them as it
-- tests a bundled plugin: the manifest, <name>/test.lua with the harness's `h` (h.classify,
-- h.failureRuleTests, h.success, h.failure) and its assertions, then the cases of
-- <name>/classifier_cases.json (which tests/classify also runs through the core's real
-- classification worker).

local here = arg[0]:match("^(.*)/[^/]*$") or "."
local h = dofile(here .. "/../../tests/harness.lua")

-- The checks the core runs (daemon-core/serverchecks).
local KINDS = { http = true, tcp = true, ping = true, dns = true }

-- What a server plugin's manifest must hold beyond the rules every plugin follows (see
-- h.BUNDLED in the harness): the core runs it, so its entry names a check, and no agent installs it.
local SERVER = {
    runtime = "server",
    version = { "^%d+%.%d+%.%d+$", "'version' must be like 1.0.0" },
    entry = function(m)
        return KINDS[m.entry] ~= nil, "'entry' must name a check the core runs: http, tcp, ping or dns"
    end,
    packaged = false,
}

local dir = arg[1]
if not dir then
    io.stderr:write("usage: lua5.4 run.lua plugins/server/<name>\n")
    os.exit(2)
end
h.runPlugin(dir, SERVER, "server/" .. dir:gsub("/+$", ""):match("([^/]+)$"))
