local function show(unit, fixture, extra)
    local argv = { "systemctl", "show", "-p", "LoadState,ActiveState,SubState,UnitFileState", "--", unit }
    local spec = { args = { name = unit }, commands = { h.cmd(argv, { stdout = h.fixture(fixture) }) } }
    for k, v in pairs(extra or {}) do
        spec[k] = v
    end
    return h.run(spec)
end

test("an active unit: value 1, the states in the message", function()
    local r, rec = show("nginx.service", "show_running")
    eq(r.value, 1)
    eq(r.message, "nginx.service active (running), enabled")
    eq(h.metric(r, "active"), 1)
    eq(h.metric(r, "loaded"), 1)
    eq(h.metric(r, "enabled"), 1)
    eq(h.metric(r, "failed"), 0)
    eq(rec.runs[1].argv[5], "--", "the unit name comes after --")
    truthy(rec.runs[1].opts.timeout_ms)
end)

test("a failed unit", function()
    local r = show("postgresql@15-main", "show_failed")
    eq(r.value, 0)
    eq(h.metric(r, "failed"), 1)
    eq(r.message, "postgresql@15-main failed (failed), enabled")
end)

test("a unit that does not exist; a masked one", function()
    local r = show("nosuch.service", "show_not_found")
    eq(r.value, 0)
    eq(h.metric(r, "loaded"), 0)
    eq(r.message, "nosuch.service: no such unit")
    r = show("apache2", "show_masked")
    eq(r.value, 0)
    eq(h.metric(r, "loaded"), 0)
    eq(h.metric(r, "enabled"), 0)
    eq(r.message, "apache2 is masked (inactive)")
end)

test("restarting in a loop; a finished oneshot; an exited oneshot that stays active", function()
    local r = show("app.service", "show_auto_restart")
    eq(r.value, 0)
    eq(h.metric(r, "transitioning"), 1)
    eq(r.message, "app.service activating (auto-restart), enabled")
    r = show("backup.service", "show_oneshot_dead")
    eq(r.value, 0)
    eq(h.metric(r, "enabled"), 1, "static counts as enabled")
    r = show("setup.service", "show_oneshot_exited")
    eq(r.value, 1)
end)

test("no systemd, systemctl missing or hung", function()
    local argv = { "systemctl", "show", "-p", "LoadState,ActiveState,SubState,UnitFileState", "--", "x" }
    local r = h.run { args = { name = "x" }, commands = { h.cmd(argv, { exit_code = 1,
        stderr = h.fixture("no_systemd.stderr") }) } }
    eq(r.value, nil)
    eq(r.message, "x: systemctl failed: System has not been booted with systemd as init system (PID 1). Can't operate.")
    r = h.run { args = { name = "x" }, commands = {} }
    eq(r.value, nil)
    contains(r.message, "cannot run systemctl")
    r = h.run { args = { name = "x" }, commands = { h.cmd(argv, { signal = 15 }) } }
    eq(r.value, nil)
    eq(r.message, "x: systemctl failed: killed by signal 15")
    r = h.run { args = { name = "x" }, commands = { h.cmd(argv, { timed_out = true }) } }
    eq(r.value, nil)
    contains(r.message, "did not answer")
end)

test("Windows and other systems say plainly that they are not supported", function()
    local r, rec = h.run { args = { name = "Spooler" }, os = { name = "windows" } }
    eq(r.value, nil)
    contains(r.message, "systemd on Linux only, not for windows")
    eq(#rec.runs, 0)
end)

test("the systemctl argument is the program that runs; an empty name is refused", function()
    local argv = { "/bin/systemctl", "show", "-p", "LoadState,ActiveState,SubState,UnitFileState", "--", "sshd" }
    local r = h.run { args = { name = "sshd", systemctl = "/bin/systemctl" },
        commands = { h.cmd(argv, { stdout = h.fixture("show_running") }) } }
    eq(r.value, 1)
    r = h.run { args = { name = "" } }
    eq(r.value, nil)
end)

local function unit(fixture)
    local r = show("u.service", fixture)
    local m = {}
    for k in pairs(r.metrics) do
        m[k] = h.metric(r, k)
    end
    return h.success(r.value, m, r.message)
end
local ARGS = { name = "u.service" }

h.failureRuleTests(unit("show_running"), ARGS)

test("classifier: failed, missing, masked and inactive critical; restarting minor", function()
    eq(h.classify { results = { unit("show_failed") }, args = ARGS }, "critical")
    eq(h.classify { results = { unit("show_not_found") }, args = ARGS }, "critical")
    eq(h.classify { results = { unit("show_masked") }, args = ARGS }, "critical")
    eq(h.classify { results = { unit("show_oneshot_dead") }, args = ARGS }, "critical")
    eq(h.classify { results = { unit("show_auto_restart") }, args = ARGS }, "minor")
    eq(h.classify { results = { unit("show_oneshot_exited") }, args = ARGS }, "ok")
end)

test("classifier: host variable service_inactive for oneshot units", function()
    eq(h.classify { results = { unit("show_oneshot_dead") }, args = ARGS, vars = { service_inactive = "ok" } }, "ok")
    eq(h.classify { results = { unit("show_oneshot_dead") }, args = ARGS, vars = { service_inactive = "minor" } },
        "minor")
    -- it does not soften a failed or missing unit
    eq(h.classify { results = { unit("show_failed") }, args = ARGS, vars = { service_inactive = "ok" } }, "critical")
    eq(h.classify { results = { unit("show_not_found") }, args = ARGS, vars = { service_inactive = "ok" } }, "critical")
end)
