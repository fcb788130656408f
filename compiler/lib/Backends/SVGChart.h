//===- SVGChart.h - small SVG charts for the HTML report -*- C++ -*-===//
//
// Axes (linear, or logarithmic in any base) with ticks, tick labels and an axis label that names
// the unit; data as polylines, markers and reference lines, each with an optional tooltip (an SVG
// `<title>`); the plot area clipped. Styling is by CSS classes the page defines. Only drawing:
// the values come from the caller. Numbers are written locale-free with one decimal at most, and
// every text is escaped for XML.
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_BACKENDS_SVGCHART_H
#define ZOO_BACKENDS_SVGCHART_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace zoo {
namespace svg {

/// `S` with `&`, `<`, `>`, `"` and `'` escaped: safe in XML and HTML text and attributes.
std::string escape(llvm::StringRef S);
/// A coordinate: at most one decimal, no trailing `.0`, locale-free.
std::string coord(double V);

struct Axis {
  enum Kind { Linear, Log };
  Kind K = Linear;
  double Lo = 0, Hi = 1;                     ///< the range drawn (log axes: powers of Base)
  double Base = 10;                          ///< log axes
  double Step = 1;                           ///< linear axes: the distance between ticks
  std::string Label;                         ///< the quantity and its unit
  std::function<std::string(double)> Format; ///< a tick's label

  /// A linear axis over [Lo, Hi], widened to round ticks (from 0 where Lo >= 0).
  static Axis linear(double Lo, double Hi, std::string Label,
                     std::function<std::string(double)> Format);
  /// A logarithmic axis over [Lo, Hi] (both > 0), widened to powers of `Base`.
  static Axis log(double Lo, double Hi, double Base, std::string Label,
                  std::function<std::string(double)> Format);
  /// Where `V` falls, 0 at Lo and 1 at Hi; NaN where it cannot be drawn (<= 0 on a log axis).
  double fraction(double V) const;
  /// Whether `V` can be placed on the axis (finite, and positive on a log axis).
  bool placeable(double V) const;
  std::vector<double> ticks() const;
};

using Point = std::pair<double, double>;

class Chart {
public:
  /// A chart of `Width` x `Height` pixels; `Id` must be unique in the page (its clip path).
  Chart(std::string Id, double Width, double Height, Axis X, Axis Y);

  /// A line through `Pts` (points that cannot be placed break it), class `Class`.
  void line(llvm::ArrayRef<Point> Pts, llvm::StringRef Class);
  /// A marker at (X, Y): a circle (`Square` false) or a square of half-size `R`, with a tooltip.
  void marker(double X, double Y, double R, bool Square, llvm::StringRef Class,
              llvm::StringRef Tooltip);
  /// A horizontal reference line at `Y` across the plot, labelled `Label` at its right end.
  void hline(double Y, llvm::StringRef Class, llvm::StringRef Label, llvm::StringRef Tooltip);
  /// A vertical reference line at `X`, labelled `Label` at its top.
  void vline(double X, llvm::StringRef Class, llvm::StringRef Label, llvm::StringRef Tooltip);
  /// A label at data point (X, Y), `Dx`/`Dy` pixels away, anchored at its start (at its end
  /// with `End`). X may be the axis's end.
  void label(double X, double Y, double Dx, double Dy, llvm::StringRef Class, llvm::StringRef Text,
             bool End = false);
  const Axis &xAxis() const { return X; }
  const Axis &yAxis() const { return Y; }
  /// Opens a group of class `Class` with a tooltip (closed by endGroup): a series.
  void beginGroup(llvm::StringRef Class, llvm::StringRef Tooltip);
  void endGroup();

  /// Writes the `<svg>` element: `Title` (its tooltip and accessible name), the axes, the data.
  void write(llvm::raw_ostream &OS, llvm::StringRef Title) const;

  double x(double V) const;
  double y(double V) const;

private:
  std::string Id;
  double Width, Height;
  double Left = 64, Right = 14, Top = 10, Bottom = 42; ///< margins
  Axis X, Y;
  std::string Body; ///< the data, clipped to the plot area
  std::string Over; ///< labels drawn above the data, not clipped
};

} // namespace svg
} // namespace zoo

#endif
