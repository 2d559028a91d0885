#!/usr/bin/env bash
# Installs what graphviz_nn needs on Debian/Ubuntu: the Graphviz program, fonts with ∂ σ α and
# subscripts, Python's venv, then the package and its test tools into .venv.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v dot >/dev/null 2>&1 || need+=(graphviz)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
python3 -c "import ensurepip, venv" >/dev/null 2>&1 || need+=(python3-venv python3-pip)  # Debian splits these off
command -v python3 >/dev/null 2>&1 || need+=(python3 python3-venv python3-pip)
# The HTML stepper's tests drive Debian's Chromium headless through its chromedriver (nothing downloads a browser).
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
# The tests compile the Beamer deck: pdflatex and Beamer, and pgf, which Beamer draws with.
kpsewhich beamer.cls >/dev/null 2>&1 || need+=(texlive-latex-recommended)
kpsewhich pgfcore.sty >/dev/null 2>&1 || need+=(texlive-pictures)
# The worksheet tests read the PDFs' text with poppler's pdftotext.
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing system packages: ${need[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install -q -e ".[test]"
