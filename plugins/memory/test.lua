local SERVER = h.fixture("meminfo_server")
local OLD = h.fixture("meminfo_nomemavailable")

test("used % is (MemTotal - MemAvailable) / MemTotal, with byte metrics", function()
    local r = h.run { files = { ["/proc/meminfo"] = SERVER } }
    near(r.value, (16303460 - 4075865) / 16303460 * 100, 1e-9)
    local total, unit = h.metric(r, "total")
    eq(total, 16303460 * 1024)
    eq(unit, "B")
    eq(h.metric(r, "available"), 4075865 * 1024)
    eq(h.metric(r, "used"), (16303460 - 4075865) * 1024)
    eq(h.metric(r, "swap_total"), 2097148 * 1024)
    eq(h.metric(r, "swap_used"), (2097148 - 1572860) * 1024)
    near(h.metric(r, "swap_used_percent"), 25.0, 0.001)
    contains(r.message, "75.0 % used")
    contains(r.message, "swap 25.0 % used")
end)

test("kernels without MemAvailable: free + buffers + cached + reclaimable slab", function()
    local r = h.run { files = { ["/proc/meminfo"] = OLD } }
    local available = 81232 + 40960 + 204800 + 20480
    near(r.value, (1016120 - available) / 1016120 * 100, 1e-9)
    eq(h.metric(r, "available"), available * 1024)
    contains(r.message, "estimated")
    contains(r.message, "no swap")
    eq(h.metric(r, "swap_used_percent"), nil)
end)

test("reads the path given as argument", function()
    local r = h.run { args = { meminfo_path = "/fx/meminfo" }, files = { ["/fx/meminfo"] = OLD } }
    truthy(r.value)
end)

test("missing file and a file without MemTotal give no value", function()
    local r = h.run {}
    eq(r.value, nil)
    contains(r.message, "cannot read /proc/meminfo")
    r = h.run { files = { ["/proc/meminfo"] = "MemFree: 10 kB\n" } }
    eq(r.value, nil)
    contains(r.message, "MemTotal")
end)

h.failureRuleTests(h.success(40))

test("classifier: both of the last two values must be over 90 % / 95 %", function()
    eq(h.classify { results = { h.success(50), h.success(89.9) } }, "ok")
    eq(h.classify { results = { h.success(50), h.success(97) } }, "ok")
    eq(h.classify { results = { h.success(91), h.success(97) } }, "minor")
    eq(h.classify { results = { h.success(96), h.success(99) } }, "major")
    -- a failed run between them does not hide two full readings
    eq(h.classify { results = { h.success(96), h.failure("timeout"), h.success(99) } }, "major")
end)

test("classifier: host variables memory_warn / memory_crit", function()
    local window = { h.success(80), h.success(85) }
    eq(h.classify { results = window }, "ok")
    eq(h.classify { results = window, vars = { memory_warn = "75" } }, "minor")
    eq(h.classify { results = window, vars = { memory_warn = "70", memory_crit = "80" } }, "major")
end)
