local IDLE = h.fixture("loadavg_idle")
local BUSY = h.fixture("loadavg_busy")

test("value is load1; load1, load5 and load15 metrics are all there", function()
    local r = h.run { files = { ["/proc/loadavg"] = IDLE }, os = { cpu_count = 4 } }
    eq(r.value, 0.52)
    eq(h.metric(r, "load1"), 0.52)
    eq(h.metric(r, "load5"), 0.58)
    eq(h.metric(r, "load15"), 0.59)
    eq(h.metric(r, "cpus"), 4)
    eq(r.message, "load average 0.52, 0.58, 0.59")
end)

test("busy machine", function()
    local r = h.run { files = { ["/proc/loadavg"] = BUSY } }
    eq(r.value, 12.40)
    eq(h.metric(r, "load5"), 9.85)
    eq(h.metric(r, "load15"), 7.02)
end)

test("the three metrics are there even without a CPU count", function()
    local r = h.run { files = { ["/proc/loadavg"] = BUSY }, os = { cpu_count = false } }
    eq(h.metric(r, "cpus"), nil)
    eq(h.metric(r, "load1"), 12.40)
end)

test("reads the path given as argument", function()
    local r = h.run { args = { loadavg_path = "/x/loadavg" }, files = { ["/x/loadavg"] = IDLE } }
    eq(r.value, 0.52)
end)

test("a missing or garbled file gives no value and says why", function()
    local r = h.run { files = {} }
    eq(r.value, nil)
    contains(r.message, "/proc/loadavg")
    r = h.run { files = { ["/proc/loadavg"] = "" } }
    eq(r.value, nil)
end)

h.failureRuleTests(h.success(0.5, { load1 = 0.5, load5 = 0.6, load15 = 0.7, cpus = 4 }))

local function load(l5, cpus)
    return h.success(l5, { load1 = l5, load5 = l5, load15 = l5, cpus = cpus })
end

test("classifier: load5 against 2× and 4× the CPU count", function()
    eq(h.classify { results = { load(7.9, 4) } }, "ok")
    eq(h.classify { results = { load(8, 4) } }, "minor")
    eq(h.classify { results = { load(16, 4) } }, "major")
    eq(h.classify { results = { load(2.5, 1) } }, "minor")
end)

test("classifier: host variables load_warn / load_crit are absolute loads", function()
    eq(h.classify { results = { load(3, 4) }, vars = { load_warn = "3" } }, "minor")
    eq(h.classify { results = { load(3, 4) }, vars = { load_warn = "1", load_crit = "2.5" } }, "major")
    eq(h.classify { results = { load(40, 16) }, vars = { load_crit = "100" } }, "minor")
end)
