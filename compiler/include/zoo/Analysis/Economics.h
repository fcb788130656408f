//===- Economics.h - what devices cost to rent or own, and a fleet's total -*- C++ -*-===//
//
// Every cost figure comes from a `price` record (a rental's hourly rate, on demand or at a
// commitment; or a purchase written off over its lifetime, plus the electricity it draws at the
// wall, from a `grid` record) and is named by the records it used: no constant is hidden here.
// Formulas: docs/formulas.md, "Cost, energy and carbon".
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_ANALYSIS_ECONOMICS_H
#define ZOO_ANALYSIS_ECONOMICS_H

#include "zoo/IR/Module.h"
#include <optional>
#include <string>

namespace zoo {

/// The rental rate of `P` at `T` for the whole instance, USD a second; nullopt where the record
/// states no such rate (or is a purchase).
std::optional<double> rentalRate(const PriceRecord &P, PriceTerm T);

/// The power one device draws at the wall, before the facility's PUE: the purchase record's
/// `power` over its devices where it states one, else the hardware's TDP (0: neither).
double deviceWatts(const HardwareRecord &Hw, const PriceRecord *P);
/// Whether `P` states its unit's power at the wall (only a purchase may).
inline bool wallPowerStated(const PriceRecord *P) { return P && P->Power > 0; }

/// What one device costs a second, USD: a rental's rate at `T` over its devices; a purchase's
/// price over its devices and lifetime, plus deviceWatts x the grid's PUE x its electricity
/// price. Nullopt, with `Why`, where the records cannot say (a rate not stated, a purchase
/// without a grid that prices electricity).
std::optional<double> deviceCostPerSecond(const PriceRecord &P, PriceTerm T, const GridRecord *G,
                                          std::string *Why = nullptr);

/// A fleet of `Devices` accelerators kept for `Seconds`: whole units of the price record
/// (instances or servers, the last one shared by no one), each rented for the period, or bought
/// (again at the end of each lifetime, no resale value credited) and powered at its wall power x
/// the PUE for the whole period (an upper bound: full power, every hour).
struct FleetCost {
  int64_t Units = 0;     ///< instances or servers
  int64_t Purchases = 0; ///< times each owned unit is bought over the period
  double Rent = 0, Capital = 0, Energy = 0, Total = 0; ///< USD
};
std::optional<FleetCost> fleetCost(const PriceRecord &P, PriceTerm T, const GridRecord *G,
                                   double Devices, double Seconds, std::string *Why = nullptr);

/// `AWS p5.48xlarge, us-east-1, 2026-11-09, on demand` or `NVIDIA DGX H100, 2023-05-29,
/// purchased, written off over 6 years`.
std::string describePrice(const PriceRecord &P, PriceTerm T);

} // namespace zoo

#endif
