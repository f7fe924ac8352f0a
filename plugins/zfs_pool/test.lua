local LIST = { "zpool", "list", "-H", "-o", "name,health,cap" }
local STATUS = { "zpool", "status", "-x" }

local function zpool(list, status)
    return h.run { commands = {
        h.cmd(LIST, { stdout = h.fixture(list) }),
        h.cmd(STATUS, { stdout = h.fixture(status) }),
    } }
end

test("all pools ONLINE", function()
    local r, rec = zpool("list_online", "status_healthy")
    eq(r.value, 0)
    eq(h.metric(r, "pools"), 2)
    eq(h.metric(r, "rpool.health"), 0)
    eq(h.metric(r, "tank.cap"), 61)
    eq(h.metric(r, "max_cap"), 61)
    eq(h.metric(r, "with_errors"), 0)
    eq(r.message, "2 pools ONLINE: rpool ONLINE (23 % full); tank ONLINE (61 % full)")
    for _, run in ipairs(rec.runs) do
        truthy(run.opts.timeout_ms and run.opts.timeout_ms <= 15000, "every zpool call has a timeout")
    end
end)

test("a DEGRADED pool, with the reason from status -x", function()
    local r = zpool("list_degraded", "status_degraded")
    eq(r.value, 1)
    eq(h.metric(r, "degraded"), 1)
    eq(h.metric(r, "faulted"), 0)
    eq(h.metric(r, "tank.health"), 1)
    eq(h.metric(r, "rpool.health"), 0)
    eq(h.metric(r, "resilvering"), 0)
    contains(r.message, "1 of 2 pools unhealthy: tank DEGRADED (81 % full): One or more devices could not be used "
        .. "because the label is missing or invalid; rpool ONLINE")
end)

test("FAULTED and UNAVAIL pools, and a resilvering DEGRADED one", function()
    local r = zpool("list_faulted", "status_faulted")
    eq(r.value, 3)
    eq(h.metric(r, "faulted"), 2)
    eq(h.metric(r, "degraded"), 1)
    eq(h.metric(r, "backup.health"), 2)
    eq(h.metric(r, "scratch.health"), 2)
    eq(h.metric(r, "backup.cap"), nil, "an unavailable pool has no fill level")
    eq(h.metric(r, "resilvering"), 1)
    near(h.metric(r, "tank.resilver"), 7.41)
    contains(r.message, "3 of 4 pools unhealthy")
    contains(r.message, "backup UNAVAIL: One or more devices could not be opened;")
    contains(r.message, "scratch FAULTED: One or more devices are faulted in response to persistent errors"
        .. ", errors: 4 data errors, use '-v' for a list")
    contains(r.message, "tank DEGRADED (81 % full), resilvering 7.41 %")
end)

test("an ONLINE pool with device errors counts as with_errors, not unhealthy", function()
    local r = zpool("list_errors", "status_errors")
    eq(r.value, 0)
    eq(h.metric(r, "with_errors"), 1)
    contains(r.message, "ONLINE, with device errors: data ONLINE (45 % full): One or more devices has experienced an "
        .. "unrecoverable error")
end)

test("no pools", function()
    local r = h.run { commands = { h.cmd(LIST, { stdout = "" }), h.cmd(STATUS, { stdout = "no pools available\n" }) } }
    eq(r.value, 0)
    eq(r.message, "no ZFS pools")
end)

test("a hanging zpool list is cut off: no value, says so, no second call", function()
    local r, rec = h.run { commands = { h.cmd(LIST, { signal = 9, timed_out = true }) } }
    eq(r.value, nil)
    contains(r.message, "zpool list did not answer within 12 s")
    eq(#rec.runs, 1)
end)

test("a hanging zpool status still gives the health from list", function()
    local r = h.run { commands = { h.cmd(LIST, { stdout = h.fixture("list_degraded") }),
        h.cmd(STATUS, { timed_out = true }) } }
    eq(r.value, 1)
    contains(r.message, "no details: zpool status did not answer")
end)

test("zpool missing or failing", function()
    local r = h.run { commands = {} }
    eq(r.value, nil)
    contains(r.message, "cannot run zpool")
    r = h.run { commands = { h.cmd(LIST, { exit_code = 1,
        stderr = "The ZFS modules are not loaded.\nTry running '/sbin/modprobe zfs' as root to load them.\n" }) } }
    eq(r.value, nil)
    contains(r.message, "zpool list failed: The ZFS modules are not loaded.")
end)

test("the zpool argument is the program that runs", function()
    local r, rec = h.run { args = { zpool = "/sbin/zpool" }, commands = {
        h.cmd({ "/sbin/zpool", "list", "-H", "-o", "name,health,cap" }, { stdout = h.fixture("list_online") }),
        h.cmd({ "/sbin/zpool", "status", "-x" }, { stdout = h.fixture("status_healthy") }),
    } }
    eq(r.value, 0)
    eq(rec.runs[2].argv[1], "/sbin/zpool")
end)

local function pools(list, status)
    local r = zpool(list, status)
    local m = {}
    for k in pairs(r.metrics) do
        m[k] = h.metric(r, k)
    end
    return h.success(r.value, m, r.message)
end

h.failureRuleTests(pools("list_online", "status_healthy"))

test("classifier: degraded critical, resilvering major, faulted critical, errors minor", function()
    eq(h.classify { results = { pools("list_degraded", "status_degraded") } }, "critical")
    eq(h.classify { results = { pools("list_faulted", "status_faulted") } }, "critical")
    eq(h.classify { results = { pools("list_errors", "status_errors") } }, "minor")
    local resilvering = h.success(1, { degraded = 1, resilvering = 1, faulted = 0, max_cap = 50 })
    eq(h.classify { results = { resilvering } }, "major")
end)

test("classifier: fill level 80 % minor, 90 % major", function()
    eq(h.classify { results = { h.success(0, { max_cap = 79 }) } }, "ok")
    eq(h.classify { results = { h.success(0, { max_cap = 80 }) } }, "minor")
    eq(h.classify { results = { h.success(0, { max_cap = 93 }) } }, "major")
end)

test("classifier: host variables zfs_degraded, zfs_resilvering, zfs_errors, zfs_cap_warn, zfs_cap_crit", function()
    local degraded = pools("list_degraded", "status_degraded") -- tank is 81 % full
    eq(h.classify { results = { degraded }, vars = { zfs_degraded = "major" } }, "major")
    eq(h.classify { results = { degraded }, vars = { zfs_degraded = "ok" } }, "minor", "81 % full is still minor")
    eq(h.classify { results = { degraded }, vars = { zfs_degraded = "ok", zfs_cap_warn = "85" } }, "ok")
    eq(h.classify { results = { pools("list_errors", "status_errors") }, vars = { zfs_errors = "ok" } }, "ok")
    eq(h.classify { results = { h.success(0, { max_cap = 70 }) }, vars = { zfs_cap_crit = "70" } }, "major")
    local resilvering = h.success(1, { degraded = 1, resilvering = 1 })
    eq(h.classify { results = { resilvering }, vars = { zfs_resilvering = "minor" } }, "minor")
end)
