test("seconds since boot, in days and hours in the message", function()
    local r = h.run { files = { ["/proc/uptime"] = h.fixture("uptime_4days") } }
    eq(r.value, 350735.47)
    eq(r.message, "up 4 days, 1 hour, 25 minutes")
    eq(h.metric(r, "uptime"), 350735.47)
end)

test("just booted", function()
    local r = h.run { files = { ["/proc/uptime"] = h.fixture("uptime_fresh") } }
    eq(r.value, 42.17)
    eq(r.message, "up 0 minutes")
end)

test("hours without days", function()
    local r = h.run { files = { ["/proc/uptime"] = "7260.00 1.00\n" } }
    eq(r.message, "up 2 hours, 1 minute")
end)

test("reads the path given as argument; missing or garbled file", function()
    local r = h.run { args = { uptime_path = "/u" }, files = { ["/u"] = "86400.5 1\n" } }
    eq(r.message, "up 1 day, 0 hours, 0 minutes")
    r = h.run {}
    eq(r.value, nil)
    contains(r.message, "cannot read /proc/uptime")
    r = h.run { files = { ["/proc/uptime"] = "x" } }
    eq(r.value, nil)
end)

h.failureRuleTests(h.success(100000))

test("classifier: a reboot shows as minor", function()
    eq(h.classify { results = { h.success(100000), h.success(100300) } }, "ok")
    eq(h.classify { results = { h.success(100000), h.success(5000) } }, "minor", "uptime went down")
    eq(h.classify { results = { h.success(100000), h.failure("timeout"), h.success(5000) } }, "minor")
    eq(h.classify { results = { h.success(300) } }, "minor", "under 15 minutes")
end)

test("classifier: host variable uptime_min", function()
    eq(h.classify { results = { h.success(3000), h.success(3600) }, vars = { uptime_min = "7200" } }, "minor")
    eq(h.classify { results = { h.success(300), h.success(360) }, vars = { uptime_min = "0" } }, "ok")
end)
