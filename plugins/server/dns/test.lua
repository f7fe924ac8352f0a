-- Results as the core's DNS check makes them (daemon-core/serverchecks/dnscheck.cpp).
local function resolved(ms, status)
    return { type = "success", value = ms, metrics = { time_total_ms = ms, records = 2 }, status = status or "ok",
        message = "localhost resolves to 127.0.0.1, ::1 in 0.40 ms" }
end

h.failureRuleTests(resolved(1))

test("classifier: a name that does not exist, or an unexpected answer, is critical at once", function()
    eq(h.classify { results = { resolved(1), resolved(3, "critical") } }, "critical")
end)

test("classifier: a resolver that does not answer twice in a row is critical", function()
    local silent = h.failure("timeout", "the resolver gave no answer for addresses of example.com within 10 s")
    eq(h.classify { results = { resolved(1), silent } }, "unknown")
    eq(h.classify { results = { silent, silent } }, "critical")
end)

test("classifier: resolution time, default 500 and 2000 ms, host variables dns_warn_ms, dns_crit_ms", function()
    eq(h.classify { results = { resolved(499) } }, "ok")
    eq(h.classify { results = { resolved(500) } }, "minor")
    eq(h.classify { results = { resolved(2000) } }, "major")
    eq(h.classify { results = { resolved(80) }, vars = { dns_warn_ms = "50" } }, "minor")
    eq(h.classify { results = { resolved(80) }, vars = { dns_crit_ms = "80" } }, "major")
end)
