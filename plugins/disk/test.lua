local function df(path, kOut, iOut, extra)
    local cmds = {
        h.cmd({ "df", "-P", "-k", "--", path }, { stdout = kOut }),
        h.cmd({ "df", "-P", "-i", "--", path }, { stdout = iOut }),
    }
    for _, c in ipairs(extra or {}) do
        cmds[#cmds + 1] = c
    end
    return cmds
end

test("root file system: used % as df computes it, byte and inode metrics", function()
    local r, rec = h.run { commands = df("/", h.fixture("df_k_root"), h.fixture("df_i_root")) }
    near(r.value, 30254784 / (30254784 + 8784492) * 100, 1e-9)
    local used, unit = h.metric(r, "used")
    eq(used, 30254784 * 1024)
    eq(unit, "B")
    eq(h.metric(r, "free"), 8784492 * 1024)
    eq(h.metric(r, "size"), 41152812 * 1024)
    eq(h.metric(r, "inodes_used"), 345678)
    eq(h.metric(r, "inodes_free"), 2275762)
    near(h.metric(r, "inodes_used_percent"), 345678 / 2621440 * 100, 1e-9)
    contains(r.message, "/ (/ on /dev/sda2): 77.5 % used")
    eq(#rec.runs, 2)
    eq(rec.runs[1].argv[3], "-k")
    truthy(rec.runs[1].opts.timeout_ms and rec.runs[1].opts.timeout_ms < 30000, "df runs with a timeout")
end)

test("the path argument reaches df, after --", function()
    local r, rec = h.run { args = { path = "/var" },
        commands = df("/var", h.fixture("df_k_full"), h.fixture("df_i_root")) }
    eq(r.value, 100)
    eq(h.metric(r, "free"), 0)
    eq(rec.runs[1].argv[4], "--")
    eq(rec.runs[1].argv[5], "/var")
end)

test("spaces in the file system and the mount point", function()
    local r = h.run { args = { path = "/mnt/team share" },
        commands = df("/mnt/team share", h.fixture("df_k_spaces"), h.fixture("df_i_root")) }
    near(r.value, 50, 1e-9)
    contains(r.message, "/mnt/team share on //nas/team share")
end)

test("btrfs reports no inodes: no inode metrics, value still there", function()
    local r = h.run { args = { path = "/srv/data" },
        commands = df("/srv/data", h.fixture("df_k_btrfs"), h.fixture("df_i_btrfs")) }
    near(r.value, 976757292 / (976757292 + 975698436) * 100, 1e-9)
    eq(h.metric(r, "inodes_used_percent"), nil)
end)

test("a missing path: df's complaint is the message", function()
    local r = h.run { args = { path = "/nope" }, commands = {
        h.cmd({ "df", "-P", "-k", "--", "/nope" }, { exit_code = 1, stderr = "df: /nope: No such file or directory\n" }),
    } }
    eq(r.value, nil)
    eq(r.message, "/nope: df: /nope: No such file or directory")
end)

test("df absent or hung: no value, says why", function()
    local r = h.run { commands = {} }
    eq(r.value, nil)
    contains(r.message, "cannot run df")
    r = h.run { commands = { h.cmd({ "df", "-P", "-k", "--", "/" }, { timed_out = true }) } }
    eq(r.value, nil)
    contains(r.message, "did not answer")
end)

test("a custom df program and a failing inode query", function()
    local r = h.run { args = { df = "/usr/local/bin/gdf" }, commands = {
        h.cmd({ "/usr/local/bin/gdf", "-P", "-k", "--", "/" }, { stdout = h.fixture("df_k_root") }),
        h.cmd({ "/usr/local/bin/gdf", "-P", "-i", "--", "/" }, { exit_code = 1, stderr = "gdf: oops\n" }),
    } }
    near(r.value, 77.5, 0.05)
    contains(r.message, "inodes unknown: gdf: oops")
end)

local function disk(used, metrics)
    metrics = metrics or {}
    metrics.size = metrics.size or 1000
    metrics.free = metrics.free or (100 - used) * 10
    return h.success(used, metrics)
end

h.failureRuleTests(disk(40))

test("classifier: 85 % minor, 95 % major, full critical", function()
    eq(h.classify { results = { disk(84.9) } }, "ok")
    eq(h.classify { results = { disk(85) } }, "minor")
    eq(h.classify { results = { disk(95) } }, "major")
    eq(h.classify { results = { disk(100) } }, "critical")
    eq(h.classify { results = { disk(99.99, { free = 0 }) } }, "critical")
end)

test("classifier: inode usage counts like space", function()
    eq(h.classify { results = { disk(10, { inodes_used_percent = 96 }) } }, "major")
    eq(h.classify { results = { disk(10, { inodes_used_percent = 50 }) } }, "ok")
end)

test("classifier: a file system of size 0 (/proc) is not full", function()
    eq(h.classify { results = { h.success(0, { size = 0, free = 0, used = 0 }) } }, "ok")
end)

test("classifier: host variables disk_warn / disk_crit", function()
    eq(h.classify { results = { disk(70) }, vars = { disk_warn = "70" } }, "minor")
    eq(h.classify { results = { disk(90) }, vars = { disk_warn = "95", disk_crit = "98" } }, "ok")
    eq(h.classify { results = { disk(90) }, vars = { disk_crit = "90" } }, "major")
end)
