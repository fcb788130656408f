//===- Economics.cpp - what devices cost to rent or own, and a fleet's total ---------===//
#include "zoo/Analysis/Economics.h"
#include <cmath>
#include <fmt/format.h>

using namespace zoo;

std::optional<double> zoo::rentalRate(const PriceRecord &P, PriceTerm T) {
  if (P.owned())
    return std::nullopt;
  double R = T == PriceTerm::OnDemand     ? P.Hourly
             : T == PriceTerm::Reserved1y ? P.Reserved1y
                                          : P.Reserved3y;
  return R > 0 ? std::optional<double>(R) : std::nullopt;
}

double zoo::deviceWatts(const HardwareRecord &Hw, const PriceRecord *P) {
  if (P && P->Power > 0 && P->Devices > 0)
    return P->Power / static_cast<double>(P->Devices);
  const FieldValue *TDP = Hw.field("tdp");
  return TDP ? TDP->V.R : 0;
}

std::optional<double> zoo::deviceCostPerSecond(const PriceRecord &P, PriceTerm T,
                                               const GridRecord *G, std::string *Why) {
  if (std::string Reason = P.unusable(T, G); !Reason.empty()) {
    if (Why)
      *Why = Reason;
    return std::nullopt;
  }
  const double Devices = static_cast<double>(std::max<int64_t>(P.Devices, 1));
  if (!P.owned())
    return *rentalRate(P, T) / Devices;
  return P.Purchase / Devices / P.Lifetime + deviceWatts(*P.Hw, &P) * G->PUE * G->Electricity;
}

std::optional<FleetCost> zoo::fleetCost(const PriceRecord &P, PriceTerm T, const GridRecord *G,
                                        double Devices, double Seconds, std::string *Why) {
  if (!deviceCostPerSecond(P, T, G, Why))
    return std::nullopt;
  FleetCost F;
  F.Units = static_cast<int64_t>(std::ceil(Devices / static_cast<double>(P.Devices) - 1e-9));
  const double Units = static_cast<double>(F.Units);
  if (!P.owned()) {
    F.Rent = *rentalRate(P, T) * Units * Seconds;
  } else {
    F.Purchases = static_cast<int64_t>(std::ceil(Seconds / P.Lifetime - 1e-9));
    F.Capital = P.Purchase * Units * static_cast<double>(F.Purchases);
    F.Energy = deviceWatts(*P.Hw, &P) * static_cast<double>(P.Devices) * Units * G->PUE *
               G->Electricity * Seconds;
  }
  F.Total = F.Rent + F.Capital + F.Energy;
  return F;
}

std::string zoo::describePrice(const PriceRecord &P, PriceTerm T) {
  std::string Where = P.Provider;
  if (!P.Instance.empty())
    Where += " " + P.Instance;
  if (!P.Region.empty())
    Where += ", " + P.Region;
  Where += ", " + P.Date;
  if (P.owned())
    return fmt::format("{}, purchased, written off over {:g} years", Where,
                       P.Lifetime / SecondsPerYear);
  return Where + (T == PriceTerm::OnDemand     ? ", on demand"
                  : T == PriceTerm::Reserved1y ? ", 1-year commitment"
                                               : ", 3-year commitment");
}
