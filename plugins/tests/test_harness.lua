-- Tests of the harness itself: the sandbox is as strict as the real one, and the classifier
-- helpers behave as docs/PLUGIN_GUIDE.md ("Classifier contract") says.
local H = h.helpers

test("the sandbox has no io, os, debug, package, load, dofile, require, string.dump", function()
    local env = h.sandbox()
    for _, name in ipairs({ "io", "os", "debug", "package", "load", "loadfile", "dofile", "require",
        "collectgarbage", "print" }) do
        eq(env[name], nil, name)
    end
    eq(env.string.dump, nil, "string.dump")
    truthy(env.string.format and env.table.concat and env.math.floor and env.utf8.char and env.pcall)
end)

test("a chunk in the sandbox cannot reach the harness's globals", function()
    local env = h.sandbox()
    local chunk = load("return io, os, h, arg", "=probe", "t", env)
    local a, b, c, d = chunk()
    eq(a, nil)
    eq(b, nil)
    eq(c, nil)
    eq(d, nil)
end)

test("arrayMax / arrayMin / arraySum / arrayAvg skip what is not a number", function()
    local t = { 3, "x", 7, false, 5 }
    eq(H.arrayMax(t), 7)
    eq(H.arrayMin(t), 3)
    eq(H.arraySum(t), 15)
    eq(H.arrayAvg(t), 5)
    eq(H.arrayMax({}), nil)
    eq(H.arrayAvg({}), nil)
    eq(H.arraySum({}), 0)
end)

test("selectors: a field name or a function", function()
    local rs = { { value = 1, metrics = { a = 10 } }, { value = nil, metrics = {} }, { value = 4, metrics = { a = 2 } } }
    eq(H.arrayMax(rs, "value"), 4)
    eq(H.arrayAvg(rs, "value"), 2.5)
    eq(H.arrayMin(rs, function(r) return r.metrics.a end), 2)
    eq(H.arrayCount(rs, nil, "value"), 1)
end)

test("arrayContains and arrayCount, with a value or a predicate", function()
    local types = { { type = "success" }, { type = "timeout" }, { type = "timeout" } }
    truthy(H.arrayContains(types, "timeout", "type"))
    eq(H.arrayContains(types, "tls_error", "type"), false)
    eq(H.arrayCount(types, "timeout", "type"), 2)
    eq(H.arrayCount({ 1, 5, 9 }, function(v) return v > 4 end), 2)
    truthy(H.arrayContains({ "a", "b" }, "b"))
end)

test("trend: least-squares slope per second over successful results with a number", function()
    local rs = {
        { type = "success", time = 0, value = 10 },
        { type = "success", time = 60, value = 16 },
        { type = "timeout", time = 120, value = 999 },
        { type = "success", time = 180, value = 28 },
        { type = "success", time = 240, value = nil },
    }
    near(H.trend(rs), 0.1, 1e-12)
    near(H.trend(rs, function(r) return r.value and -r.value end), -0.1, 1e-12)
    eq(H.trend({ rs[1] }), nil, "one point has no slope")
    eq(H.trend({ rs[1], { type = "success", time = 0, value = 3 } }), nil, "one instant has no slope")
end)

test("the JSON decoder reads manifests", function()
    local v = h.json.decode('{"a": [1, 2.5, -3e2, true, false, null], "b": "x\\"\\u00e9\\n"}')
    eq(v.a[1], 1)
    eq(math.type(v.a[1]), "integer")
    eq(v.a[2], 2.5)
    eq(v.a[3], -300.0)
    eq(v.a[4], true)
    eq(v.a[5], false)
    eq(v.a[6], h.json.null)
    eq(v.b, 'x"é\n')
    truthy(not pcall(h.json.decode, '{"a": 1,}'), "trailing comma refused")
    truthy(not pcall(h.json.decode, '{"a": 1, "a": 2}'), "duplicate key refused")
end)
