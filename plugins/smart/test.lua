local function smart(argv, fixture, exitCode, args)
    return h.run { args = args, commands = { h.cmd(argv, { exit_code = exitCode or 0, stdout = h.fixture(fixture) }) } }
end
local SDA = { "smartctl", "-H", "-A", "/dev/sda" }

test("ATA disk PASSED: value 0, attributes as metrics", function()
    local r, rec = smart(SDA, "ata_passed.txt")
    eq(r.value, 0)
    eq(h.metric(r, "reallocated_sectors"), 0)
    eq(h.metric(r, "pending_sectors"), 0)
    eq(h.metric(r, "offline_uncorrectable"), 0)
    eq(h.metric(r, "power_on_hours"), 39830)
    local t, unit = h.metric(r, "temperature")
    eq(t, 34)
    eq(unit, "°C")
    eq(h.metric(r, "prefail_below_threshold"), 0)
    eq(r.message, "/dev/sda PASSED; 34 °C, reallocated 0, pending 0")
    truthy(rec.runs[1].opts.timeout_ms, "smartctl runs with a timeout")
end)

test("ATA disk FAILED: value 1, failing attribute and counters named, exit bits read", function()
    local r = smart(SDA, "ata_failed.txt", 8 + 16 + 32)
    eq(r.value, 1)
    eq(h.metric(r, "reallocated_sectors"), 65520)
    eq(h.metric(r, "pending_sectors"), 184)
    eq(h.metric(r, "offline_uncorrectable"), 184)
    eq(h.metric(r, "reported_uncorrectable"), 1203)
    eq(h.metric(r, "temperature"), 39, "194 wins over 190; raw '39 (0 18 0 0 0)'")
    eq(h.metric(r, "failing_attributes"), 1)
    eq(h.metric(r, "prefail_below_threshold"), 1)
    eq(h.metric(r, "below_threshold_in_past"), 1)
    contains(r.message, "/dev/sda FAILED; Drive failing within 24 hours; failing now: Reallocated_Sector_Ct; "
        .. "below threshold in the past: Airflow_Temperature_Cel")
    contains(r.message, "reallocated 65520, pending 184")
end)

test("exit bit 3 alone marks the disk failing", function()
    local r = h.run { commands = { h.cmd(SDA, { exit_code = 8, stdout = "SMART Health Status: OK\n" }) } }
    eq(r.value, 1)
end)

test("SSD that passes but has pending sectors; 190 as temperature", function()
    local r = smart(SDA, "ssd_passed_pending.txt", 0)
    eq(r.value, 0)
    eq(h.metric(r, "pending_sectors"), 2)
    eq(h.metric(r, "reallocated_sectors"), 12)
    eq(h.metric(r, "temperature"), 42)
    eq(h.metric(r, "offline_uncorrectable"), nil)
end)

test("SAS disk behind MegaRAID: -d megaraid,N passed through, SCSI health read", function()
    local argv = { "smartctl", "-H", "-A", "-d", "megaraid,2", "/dev/sda" }
    local r, rec = smart(argv, "sas_megaraid_ok.txt", 0, { device_type = "megaraid,2" })
    eq(#rec.runs, 1)
    eq(table.concat(rec.runs[1].argv, " "), "smartctl -H -A -d megaraid,2 /dev/sda")
    eq(r.value, 0)
    eq(h.metric(r, "temperature"), 31)
    eq(h.metric(r, "trip_temperature"), 65)
    eq(h.metric(r, "reallocated_sectors"), 3)
    eq(h.metric(r, "power_on_hours"), 41337)
    eq(r.message, "/dev/sda [megaraid,2] OK; 31 °C, grown defects 3")
end)

test("SAS disk behind MegaRAID predicting failure", function()
    local argv = { "smartctl", "-H", "-A", "-d", "megaraid,7", "/dev/bus/0" }
    local r = smart(argv, "sas_megaraid_failure.txt", 8, { device = "/dev/bus/0", device_type = "megaraid,7" })
    eq(r.value, 1)
    eq(h.metric(r, "reallocated_sectors"), 1872)
    contains(r.message, "/dev/bus/0 [megaraid,7] FAILED: HARDWARE IMPENDING FAILURE GENERAL HARD DRIVE FAILURE")
end)

test("SATA disk behind MegaRAID (sat+megaraid,N)", function()
    local argv = { "smartctl", "-H", "-A", "-d", "sat+megaraid,0", "/dev/sdb" }
    local r = smart(argv, "sat_megaraid_passed.txt", 0, { device = "/dev/sdb", device_type = "sat+megaraid,0" })
    eq(r.value, 0)
    eq(h.metric(r, "temperature"), 39)
    eq(h.metric(r, "power_on_hours"), 31094)
end)

test("NVMe health log", function()
    local argv = { "smartctl", "-H", "-A", "/dev/nvme0" }
    local r = smart(argv, "nvme_passed.txt", 0, { device = "/dev/nvme0" })
    eq(r.value, 0)
    eq(h.metric(r, "temperature"), 38)
    eq(h.metric(r, "percentage_used"), 2)
    eq(h.metric(r, "available_spare"), 100)
    eq(h.metric(r, "available_spare_threshold"), 10)
    eq(h.metric(r, "media_errors"), 0)
    eq(h.metric(r, "critical_warning"), 0)
    eq(h.metric(r, "power_on_hours"), 7890)
    eq(r.message, "/dev/nvme0 PASSED; 38 °C, 2 % worn, media errors 0")
end)

test("open failed (exit bit 1): no value, smartctl's reason, a hint on permissions", function()
    local r = smart({ "smartctl", "-H", "-A", "/dev/sdz" }, "open_failed.txt", 2, { device = "/dev/sdz" })
    eq(r.value, nil)
    eq(r.message, "/dev/sdz: cannot open the device: /dev/sdz failed: No such device")
    r = smart(SDA, "open_denied.txt", 2)
    eq(r.value, nil)
    contains(r.message, "Permission denied (the agent needs CAP_SYS_RAWIO")
end)

test("no SMART verdict (exit bit 2): no value", function()
    local r = smart(SDA, "no_smart.txt", 4)
    eq(r.value, nil)
    contains(r.message, "no SMART health verdict (a SMART command failed)")
end)

test("bad command line (exit bit 0), smartctl missing, timeout, bad device", function()
    local r = h.run { commands = { h.cmd(SDA, { exit_code = 1, stdout = "=======> UNRECOGNIZED OPTION: x\n" }) } }
    eq(r.value, nil)
    contains(r.message, "did not accept the command line")
    r = h.run { commands = {} }
    eq(r.value, nil)
    contains(r.message, "cannot run smartctl")
    r = h.run { commands = { h.cmd(SDA, { timed_out = true }) } }
    eq(r.value, nil)
    contains(r.message, "did not answer")
    local rec
    r, rec = h.run { args = { device = "-x" }, commands = {} }
    eq(r.value, nil)
    eq(#rec.runs, 0, "an option is never passed as the device")
end)

test("the smartctl argument is the program that runs", function()
    local r = smart({ "/usr/sbin/smartctl", "-H", "-A", "/dev/sda" }, "ata_passed.txt", 0,
        { smartctl = "/usr/sbin/smartctl" })
    eq(r.value, 0)
end)

local function disk(fixture, code, args, argv)
    local r = smart(argv or SDA, fixture, code, args)
    local m = {}
    for k in pairs(r.metrics) do
        m[k] = h.metric(r, k)
    end
    return h.success(r.value, m, r.message)
end

h.failureRuleTests(disk("ata_passed.txt"))

test("classifier: FAILED and megaraid failure critical; pending sectors major; grown defects minor", function()
    eq(h.classify { results = { disk("ata_failed.txt", 56) } }, "critical")
    eq(h.classify { results = { disk("sas_megaraid_failure.txt", 8, { device_type = "megaraid,2" },
        { "smartctl", "-H", "-A", "-d", "megaraid,2", "/dev/sda" }) } }, "critical")
    eq(h.classify { results = { disk("ssd_passed_pending.txt") } }, "major")
    eq(h.classify { results = { disk("sas_megaraid_ok.txt", 0, { device_type = "megaraid,2" },
        { "smartctl", "-H", "-A", "-d", "megaraid,2", "/dev/sda" }) } }, "minor")
    eq(h.classify { results = { disk("nvme_passed.txt", 0, { device = "/dev/nvme0" },
        { "smartctl", "-H", "-A", "/dev/nvme0" }) } }, "ok")
end)

test("classifier: growing reallocated count is major; temperature and wear thresholds", function()
    local a = h.success(0, { reallocated_sectors = 4, temperature = 30 })
    local b = h.success(0, { reallocated_sectors = 9, temperature = 30 })
    eq(h.classify { results = { a, a } }, "minor")
    eq(h.classify { results = { a, b } }, "major")
    eq(h.classify { results = { h.success(0, { temperature = 56 }) } }, "minor")
    eq(h.classify { results = { h.success(0, { temperature = 66 }) } }, "major")
    eq(h.classify { results = { h.success(0, { percentage_used = 95 }) } }, "minor")
    eq(h.classify { results = { h.success(0, { critical_warning = 4 }) } }, "critical")
end)

test("classifier: host variables smart_temp_warn/crit, smart_realloc_warn/crit, smart_pending_warn, smart_wear_warn",
    function()
        eq(h.classify { results = { h.success(0, { temperature = 50 }) }, vars = { smart_temp_warn = "45" } }, "minor")
        eq(h.classify { results = { h.success(0, { temperature = 50 }) }, vars = { smart_temp_crit = "50" } }, "major")
        local r12 = h.success(0, { reallocated_sectors = 12 })
        eq(h.classify { results = { r12 }, vars = { smart_realloc_warn = "20" } }, "ok")
        eq(h.classify { results = { r12 }, vars = { smart_realloc_crit = "10" } }, "major")
        eq(h.classify { results = { h.success(0, { pending_sectors = 2 }) }, vars = { smart_pending_warn = "5" } }, "ok")
        eq(h.classify { results = { h.success(0, { percentage_used = 80 }) }, vars = { smart_wear_warn = "80" } },
            "minor")
    end)

test("smartctl killed by a signal: no value, says so", function()
    local r = h.run { commands = { h.cmd(SDA, { signal = 11 }) } }
    eq(r.value, nil)
    eq(r.message, "/dev/sda: smartctl was killed by signal 11")
end)
