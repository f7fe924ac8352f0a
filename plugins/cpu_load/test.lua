local IDLE = h.fixture("loadavg_idle")
local BUSY = h.fixture("loadavg_busy")

test("idle machine: load1 / CPUs as percent, with the load metrics", function()
    local r, rec = h.run { files = { ["/proc/loadavg"] = IDLE }, os = { cpu_count = 4 } }
    near(r.value, 13.0, 1e-9)
    eq(h.metric(r, "load1"), 0.52)
    eq(h.metric(r, "load5"), 0.58)
    eq(h.metric(r, "load15"), 0.59)
    eq(h.metric(r, "cpus"), 4)
    eq(rec.reads[1], "/proc/loadavg")
    contains(r.message, "13 % of 4 CPUs")
end)

test("busy machine with two CPUs is over 100 %", function()
    local r = h.run { files = { ["/proc/loadavg"] = BUSY }, os = { cpu_count = 2 } }
    near(r.value, 620.0, 1e-9)
    eq(h.metric(r, "load15"), 7.02)
end)

test("reads the path given as argument", function()
    local r = h.run { args = { loadavg_path = "/tmp/la" }, files = { ["/tmp/la"] = BUSY }, os = { cpu_count = 8 } }
    near(r.value, 155.0, 1e-9)
end)

test("a missing file is reported, not raised", function()
    local r = h.run { files = {} }
    eq(r.value, nil)
    contains(r.message, "cannot read /proc/loadavg")
end)

test("garbage in the file is reported", function()
    local r = h.run { files = { ["/proc/loadavg"] = "hello\n" } }
    eq(r.value, nil)
    contains(r.message, "three load averages")
end)

test("no CPU count from the runtime: no value, but the load metrics", function()
    local r = h.run { files = { ["/proc/loadavg"] = IDLE }, os = { cpu_count = 0 } }
    eq(r.value, nil)
    eq(h.metric(r, "load1"), 0.52)
end)

h.failureRuleTests(h.success(13, { load1 = 0.52 }))

test("classifier: averages the window against 100 % / 200 %", function()
    eq(h.classify { results = { h.success(20), h.success(30), h.success(99) } }, "ok")
    eq(h.classify { results = { h.success(100), h.success(120), h.success(110) } }, "minor")
    eq(h.classify { results = { h.success(250), h.success(190), h.success(210) } }, "major")
    -- one busy sample among idle ones does not alert
    eq(h.classify { results = { h.success(10), h.success(10), h.success(250) } }, "ok")
end)

test("classifier: host variables cpu_load_warn / cpu_load_crit override the thresholds", function()
    local window = { h.success(60), h.success(70), h.success(80) }
    eq(h.classify { results = window }, "ok")
    eq(h.classify { results = window, vars = { cpu_load_warn = "50" } }, "minor")
    eq(h.classify { results = window, vars = { cpu_load_warn = "50", cpu_load_crit = "65" } }, "major")
    eq(h.classify { results = window, vars = { cpu_load_warn = "not a number" } }, "ok")
end)
