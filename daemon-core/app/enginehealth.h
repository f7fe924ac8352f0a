#pragma once

namespace prophasis {

class CoreEngine;
class CoreHealth;

// Feeds the core's health from the engine's public signals and getters: the engine's state
// (starting, running; the caller reports stopping), the database as the result writer sees it,
// and the scheduler read by schedulerReading(). Both must outlive the connections (the caller
// owns both for the whole run).
void watchEngineHealth(CoreHealth &health, const CoreEngine &engine);

} // namespace prophasis
