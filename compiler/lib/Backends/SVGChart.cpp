//===- SVGChart.cpp - small SVG charts for the HTML report -----===//
//
// Ticks: a linear axis steps by 1, 2 or 5 times a power of ten, at most about six ticks; a log
// axis puts a tick at every power of its base, or every 2nd, 5th, 10th... power where there
// would be more than eight, and at 2 and 5 times each power of ten where a base-10 axis spans
// fewer than three decades.
//
//===----------------------------------------------------------------------===//
#include "SVGChart.h"
#include <cmath>
#include <fmt/format.h>

using namespace zoo;
using namespace zoo::svg;

std::string svg::escape(llvm::StringRef S) {
  std::string Out;
  Out.reserve(S.size());
  for (char C : S) {
    switch (C) {
    case '&':
      Out += "&amp;";
      break;
    case '<':
      Out += "&lt;";
      break;
    case '>':
      Out += "&gt;";
      break;
    case '"':
      Out += "&quot;";
      break;
    case '\'':
      Out += "&#39;";
      break;
    default:
      Out += C;
    }
  }
  return Out;
}

std::string svg::coord(double V) {
  double R = std::round(V * 10) / 10;
  if (R == 0)
    return "0"; // never `-0`
  if (R == std::round(R))
    return fmt::format("{}", static_cast<long long>(R));
  return fmt::format("{:.1f}", R);
}

Axis Axis::linear(double Lo, double Hi, std::string Label,
                  std::function<std::string(double)> Format) {
  Axis A;
  A.K = Linear;
  if (!std::isfinite(Lo) || !std::isfinite(Hi) || Hi <= Lo) {
    Hi = std::isfinite(Hi) && Hi > 0 ? Hi * 2 : 1;
    Lo = 0;
  }
  if (Lo >= 0)
    Lo = 0;
  double Span = Hi - Lo, Mag = std::pow(10, std::floor(std::log10(Span / 5)));
  double Step = Mag;
  for (double F : {1.0, 2.0, 5.0, 10.0})
    if (Span / (F * Mag) <= 6) {
      Step = F * Mag;
      break;
    }
  A.Lo = std::floor(Lo / Step) * Step;
  A.Hi = std::ceil(Hi / Step) * Step;
  A.Step = Step;
  A.Label = std::move(Label);
  A.Format = std::move(Format);
  return A;
}

Axis Axis::log(double Lo, double Hi, double Base, std::string Label,
               std::function<std::string(double)> Format) {
  Axis A;
  A.K = Log;
  A.Base = Base;
  if (!(Lo > 0) || !std::isfinite(Lo))
    Lo = 1;
  if (!(Hi > Lo) || !std::isfinite(Hi))
    Hi = Lo * Base;
  double L = std::floor(std::log(Lo) / std::log(Base) + 1e-9);
  double H = std::ceil(std::log(Hi) / std::log(Base) - 1e-9);
  if (H <= L)
    H = L + 1;
  A.Lo = std::pow(Base, L);
  A.Hi = std::pow(Base, H);
  A.Label = std::move(Label);
  A.Format = std::move(Format);
  return A;
}

bool Axis::placeable(double V) const { return std::isfinite(V) && (K == Linear || V > 0); }

double Axis::fraction(double V) const {
  if (!placeable(V))
    return NAN;
  if (K == Linear)
    return (V - Lo) / (Hi - Lo);
  return std::log(V / Lo) / std::log(Hi / Lo);
}

std::vector<double> Axis::ticks() const {
  std::vector<double> T;
  if (K == Linear) {
    for (int I = 0; Lo + I * Step <= Hi + Step * 1e-9; ++I) {
      double V = Lo + I * Step;
      T.push_back(std::fabs(V) < Step * 1e-9 ? 0 : V);
    }
    return T;
  }
  const int L = static_cast<int>(std::lround(std::log(Lo) / std::log(Base)));
  const int H = static_cast<int>(std::lround(std::log(Hi) / std::log(Base)));
  int Step = 1;
  for (int S : {1, 2, 5, 10, 20, 50, 100})
    if ((H - L) / S <= 8) {
      Step = S;
      break;
    }
  for (int E = L - (L % Step + Step) % Step; E <= H; E += Step)
    if (E >= L) {
      double P = std::pow(Base, E);
      T.push_back(P);
      if (Base == 10 && H - L < 3 && E < H)
        for (double F : {2.0, 5.0})
          T.push_back(P * F);
    }
  return T;
}

Chart::Chart(std::string Id, double Width, double Height, Axis X, Axis Y)
    : Id(std::move(Id)), Width(Width), Height(Height), X(std::move(X)), Y(std::move(Y)) {}

double Chart::x(double V) const { return Left + X.fraction(V) * (Width - Left - Right); }
double Chart::y(double V) const {
  return Height - Bottom - Y.fraction(V) * (Height - Top - Bottom);
}

void Chart::line(llvm::ArrayRef<Point> Pts, llvm::StringRef Class) {
  std::string Run;
  size_t N = 0;
  auto Flush = [&] {
    if (N >= 2)
      Body += "<polyline class=\"" + Class.str() + "\" points=\"" + Run + "\"/>";
    Run.clear();
    N = 0;
  };
  for (const Point &P : Pts) {
    if (!X.placeable(P.first) || !Y.placeable(P.second)) {
      Flush();
      continue;
    }
    Run += (N ? " " : "") + coord(x(P.first)) + "," + coord(y(P.second));
    ++N;
  }
  Flush();
}

void Chart::marker(double PX, double PY, double R, bool Square, llvm::StringRef Class,
                   llvm::StringRef Tooltip) {
  if (!X.placeable(PX) || !Y.placeable(PY))
    return;
  std::string Cls = Class.empty() ? "" : " class=\"" + Class.str() + "\"";
  std::string Tip = Tooltip.empty() ? "" : "<title>" + escape(Tooltip) + "</title>";
  double CX = x(PX), CY = y(PY);
  if (Square)
    Body += "<rect" + Cls + " x=\"" + coord(CX - R) + "\" y=\"" + coord(CY - R) + "\" width=\"" +
            coord(2 * R) + "\" height=\"" + coord(2 * R) + "\">" + Tip + "</rect>";
  else
    Body += "<circle" + Cls + " cx=\"" + coord(CX) + "\" cy=\"" + coord(CY) + "\" r=\"" + coord(R) +
            "\">" + Tip + "</circle>";
}

void Chart::hline(double V, llvm::StringRef Class, llvm::StringRef Label, llvm::StringRef Tooltip) {
  if (!Y.placeable(V) || V < Y.Lo || V > Y.Hi)
    return;
  std::string PY = coord(y(V));
  Body += "<line class=\"" + Class.str() + "\" x1=\"" + coord(Left) + "\" x2=\"" +
          coord(Width - Right) + "\" y1=\"" + PY + "\" y2=\"" + PY + "\">" +
          (Tooltip.empty() ? "" : "<title>" + escape(Tooltip) + "</title>") + "</line>";
  if (!Label.empty())
    Over += "<text class=\"rl\" x=\"" + coord(Width - Right - 2) + "\" y=\"" + coord(y(V) - 3) +
            "\" text-anchor=\"end\">" + escape(Label) + "</text>";
}

void Chart::vline(double V, llvm::StringRef Class, llvm::StringRef Label, llvm::StringRef Tooltip) {
  if (!X.placeable(V) || V < X.Lo || V > X.Hi)
    return;
  std::string PX = coord(x(V));
  Body += "<line class=\"" + Class.str() + "\" x1=\"" + PX + "\" x2=\"" + PX + "\" y1=\"" +
          coord(Top) + "\" y2=\"" + coord(Height - Bottom) + "\">" +
          (Tooltip.empty() ? "" : "<title>" + escape(Tooltip) + "</title>") + "</line>";
  if (!Label.empty())
    Over += "<text class=\"rl\" x=\"" + coord(x(V) + 3) + "\" y=\"" + coord(Top + 9) + "\">" +
            escape(Label) + "</text>";
}

void Chart::label(double PX, double PY, double Dx, double Dy, llvm::StringRef Class,
                  llvm::StringRef Text, bool End) {
  if (!X.placeable(PX) || !Y.placeable(PY))
    return;
  double TX = x(PX) + Dx, TY = y(PY) + Dy;
  if (TX < Left || TX > Width - Right || TY < Top || TY > Height - Bottom)
    return;
  Over += "<text class=\"" + Class.str() + "\" x=\"" + coord(TX) + "\" y=\"" + coord(TY) + "\"" +
          (End ? " text-anchor=\"end\"" : "") + ">" + escape(Text) + "</text>";
}

void Chart::beginGroup(llvm::StringRef Class, llvm::StringRef Tooltip) {
  Body += "<g class=\"" + Class.str() + "\">";
  if (!Tooltip.empty())
    Body += "<title>" + escape(Tooltip) + "</title>";
}

void Chart::endGroup() { Body += "</g>"; }

void Chart::write(llvm::raw_ostream &OS, llvm::StringRef Title) const {
  const double X0 = Left, X1 = Width - Right, Y0 = Top, Y1 = Height - Bottom;
  OS << "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" << coord(Width)
     << "\" height=\"" << coord(Height) << "\" viewBox=\"0 0 " << coord(Width) << " "
     << coord(Height) << "\" role=\"img\" aria-label=\"" << escape(Title) << "\"><title>"
     << escape(Title) << "</title>";
  OS << "<defs><clipPath id=\"" << Id << "\"><rect x=\"" << coord(X0) << "\" y=\"" << coord(Y0)
     << "\" width=\"" << coord(X1 - X0) << "\" height=\"" << coord(Y1 - Y0)
     << "\"/></clipPath></defs>";
  // Grid and ticks.
  OS << "<g class=\"grid\">";
  for (double T : X.ticks())
    if (T >= X.Lo && T <= X.Hi * (1 + 1e-9))
      OS << "<line x1=\"" << coord(x(T)) << "\" x2=\"" << coord(x(T)) << "\" y1=\"" << coord(Y0)
         << "\" y2=\"" << coord(Y1) << "\"/>";
  for (double T : Y.ticks())
    if (T >= Y.Lo && T <= Y.Hi * (1 + 1e-9))
      OS << "<line x1=\"" << coord(X0) << "\" x2=\"" << coord(X1) << "\" y1=\"" << coord(y(T))
         << "\" y2=\"" << coord(y(T)) << "\"/>";
  OS << "</g><rect class=\"frame\" x=\"" << coord(X0) << "\" y=\"" << coord(Y0) << "\" width=\""
     << coord(X1 - X0) << "\" height=\"" << coord(Y1 - Y0) << "\"/>";
  OS << "<g class=\"tick\">";
  for (double T : X.ticks())
    if (T >= X.Lo && T <= X.Hi * (1 + 1e-9))
      OS << "<text x=\"" << coord(x(T)) << "\" y=\"" << coord(Y1 + 13)
         << "\" text-anchor=\"middle\">" << escape(X.Format(T)) << "</text>";
  for (double T : Y.ticks())
    if (T >= Y.Lo && T <= Y.Hi * (1 + 1e-9))
      OS << "<text x=\"" << coord(X0 - 4) << "\" y=\"" << coord(y(T) + 3)
         << "\" text-anchor=\"end\">" << escape(Y.Format(T)) << "</text>";
  OS << "</g>";
  OS << "<text class=\"axis x\" x=\"" << coord((X0 + X1) / 2) << "\" y=\"" << coord(Height - 6)
     << "\" text-anchor=\"middle\">" << escape(X.Label) << "</text>";
  OS << "<text class=\"axis y\" transform=\"translate(12," << coord((Y0 + Y1) / 2)
     << ") rotate(-90)\" text-anchor=\"middle\">" << escape(Y.Label) << "</text>";
  OS << "<g clip-path=\"url(#" << Id << ")\">" << Body << "</g>" << Over << "</svg>\n";
}
