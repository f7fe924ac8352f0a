-- Results as the core's TCP check makes them (daemon-core/serverchecks/tcpcheck.cpp).
local function connected(ms, status)
    return { type = "success", value = ms, metrics = { time_connect_ms = ms }, status = status or "ok",
        message = "192.0.2.1 port 22 open" }
end

h.failureRuleTests(connected(2), { port = 22 })

test("classifier: a refused port twice in a row is critical", function()
    local refused = h.failure("connection_error", "connection to 192.0.2.1 port 22 refused")
    eq(h.classify { results = { connected(2), refused }, args = { port = 22 } }, "unknown")
    eq(h.classify { results = { refused, refused }, args = { port = 22 } }, "critical")
end)

test("classifier: an answer that does not match expect is critical at once", function()
    eq(h.classify { results = { connected(2), connected(3, "critical") }, args = { port = 22 } }, "critical")
end)

test("classifier: connect time, default 500 and 2000 ms, host variables tcp_warn_ms, tcp_crit_ms", function()
    local args = { port = 22 }
    eq(h.classify { results = { connected(499) }, args = args }, "ok")
    eq(h.classify { results = { connected(500) }, args = args }, "minor")
    eq(h.classify { results = { connected(2000) }, args = args }, "major")
    eq(h.classify { results = { connected(60) }, args = args, vars = { tcp_warn_ms = "50" } }, "minor")
    eq(h.classify { results = { connected(60) }, args = args, vars = { tcp_crit_ms = "60" } }, "major")
end)
