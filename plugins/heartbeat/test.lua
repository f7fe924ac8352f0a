test("answers 1 and names the host", function()
    local r, rec = h.run { os = { hostname = "web1" } }
    eq(r.value, 1)
    eq(r.message, "web1 is alive")
    eq(r.status, nil)
    eq(#rec.runs + #rec.reads, 0, "touches nothing on the host")
end)

test("answers alive without a host name", function()
    local r = h.run { os = { hostname = "" } }
    eq(r.value, 1)
    eq(r.message, "alive")
end)

h.failureRuleTests(h.success(1, {}, "alive"))

test("classifier: a late heartbeat after one timeout is ok again", function()
    eq(h.classify { results = { h.success(1), h.failure("timeout"), h.success(1) } }, "ok")
end)

test("works the same on every platform the manifest lists", function()
    for _, name in ipairs(h.manifest.platforms) do
        local r, rec = h.run { os = { name = name, hostname = "box" } }
        eq(r.value, 1, name)
        eq(#rec.runs + #rec.reads, 0, name)
    end
end)
