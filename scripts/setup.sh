#!/usr/bin/env bash
# Set up noticeflow on a fresh Debian/Ubuntu machine, then read the bundled sample notices.
#   bash scripts/setup.sh            set up + run the main job on fixtures/samples
#   bash scripts/setup.sh --no-demo  set up only (CI)
set -euo pipefail
cd "$(dirname "$0")/.."

# chromium: the review page's browser tests; qpdf: the throughput benchmark trims PDFs; dovecot-imapd: the
# mail intake's tests start their own IMAP server on loopback; khal: a calendar client imports the feed;
# Pango and HarfBuzz: WeasyPrint lays out the generator's --family press; groff (with gropdf) typesets the
# generator's --family troff; ghostscript distils the PostScript of its --family ledger; librsvg2-bin's
# rsvg-convert turns the SVG pages of its --family plate into PDF; libreoffice-writer-nogui's soffice lays out
# the Flat ODF documents of its --family docket and libreoffice-calc-nogui's Calc prints the Flat ODF
# spreadsheets of its --family tally; pdflatex (texlive-latex-base, with texlive-latex-recommended's
# packages and texlive-fonts-recommended's Times, Helvetica, Courier and Charter) compiles its --family codex.
# nodejs and npm run PDFKit and jsPDF, which draw its --family quire and slate (installed below with npm ci).
# libpdfbox2-java (Apache PDFBox 2.0) and default-jdk-headless's java and javac draw its --family stencil;
# fop (Apache FOP) prints the XSL-FO notices of its --family forme (java runs fixtures/generator/forme's driver);
# wkhtmltopdf (QtWebKit and Qt's PDF writer) prints the HTML notices of its --family gazette.
# nodejs and npm also run pdfmake, which lays out its --family ream, and pdf-lib (with @pdf-lib/fontkit),
# which draws its --family scroll (both installed below with npm ci).
# Its --family vellum needs no system package: the typst wheel (pip, the dev extras) compiles it in-process
# with its bundled fonts and fonts-dejavu-core's and fonts-liberation's faces. Nor does its --family sheaf:
# the xhtml2pdf wheel (pip, the dev extras) lays it out in-process over ReportLab, with the same TrueType faces.
APT_PACKAGES=(tesseract-ocr tesseract-ocr-eng tesseract-ocr-osd poppler-utils fonts-dejavu-core fonts-liberation
  chromium qpdf dovecot-imapd khal libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b groff ghostscript
  librsvg2-bin libreoffice-writer-nogui libreoffice-calc-nogui texlive-latex-base texlive-latex-recommended texlive-fonts-recommended
  libpdfbox2-java fop default-jdk-headless wkhtmltopdf)
missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "noticeflow needs system packages. Run as root, then run this script again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is required" >&2; exit 1; }
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[dev]'
npm ci --prefix fixtures/generator/quire --no-audit --no-fund --silent
npm ci --prefix fixtures/generator/slate --no-audit --no-fund --silent
npm ci --prefix fixtures/generator/ream --no-audit --no-fund --silent
npm ci --prefix fixtures/generator/scroll --no-audit --no-fund --silent

if [ "${1:-}" != "--no-demo" ]; then
  # Deadlines are judged as of a fixed day, so the table reads the same on any day.
  .venv/bin/noticeflow ingest fixtures/samples --profiles fixtures/samples/profiles.json --as-of 2026-11-28
fi
