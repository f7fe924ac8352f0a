-- Results as the core's ping check makes them (daemon-core/serverchecks/pingcheck.cpp).
local function replies(avg, loss)
    return { type = "success", value = avg, status = "ok", message = "3 of 3 echo replies",
        metrics = { rtt_min_ms = avg, rtt_avg_ms = avg, rtt_max_ms = avg, packet_loss_percent = loss or 0 } }
end

h.failureRuleTests(replies(0.5))

test("classifier: no reply at all (a failed run) twice in a row is critical", function()
    local silent = h.failure("connection_error", "no echo reply from 192.0.2.1 to 3 requests (100% loss)")
    eq(h.classify { results = { replies(0.5), silent } }, "unknown")
    eq(h.classify { results = { replies(0.5), silent, silent } }, "critical")
end)

test("classifier: a core that may not ping is unknown, never critical", function()
    local denied = { type = "success", status = "unknown", metrics = {},
        message = "ICMP ping is not permitted to the core: ..." }
    eq(h.classify { results = { denied, denied, denied } }, "unknown")
end)

test("classifier: loss, default 10 and 50 %, host variables ping_loss_warn, ping_loss_crit", function()
    eq(h.classify { results = { replies(0.5, 0) } }, "ok")
    eq(h.classify { results = { replies(0.5, 33.3) } }, "minor")
    eq(h.classify { results = { replies(0.5, 66.7) } }, "major")
    eq(h.classify { results = { replies(0.5, 33.3) }, vars = { ping_loss_warn = "40" } }, "ok")
    eq(h.classify { results = { replies(0.5, 33.3) }, vars = { ping_loss_crit = "30" } }, "major")
end)

test("classifier: round trip, default 200 and 1000 ms, host variables ping_warn_ms, ping_crit_ms", function()
    eq(h.classify { results = { replies(199) } }, "ok")
    eq(h.classify { results = { replies(200) } }, "minor")
    eq(h.classify { results = { replies(1000) } }, "major")
    eq(h.classify { results = { replies(20) }, vars = { ping_warn_ms = "10" } }, "minor")
    eq(h.classify { results = { replies(20) }, vars = { ping_crit_ms = "15" } }, "major")
end)
