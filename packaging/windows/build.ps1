# Windows release: the PyInstaller folder, then the Inno Setup installer.
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1
# Needs Python 3.11+ and Inno Setup 6 (iscc.exe on PATH). Writes
# dist\Delegations\ and dist\delegations-VERSION-windows-setup.exe.
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")
if (-not (Test-Path .venv)) { py -3.11 -m venv .venv }
.venv\Scripts\python -m pip install -q -e ".[bundle]"
$version = (.venv\Scripts\python -c "from importlib.metadata import version; print(version('delegations'))").Trim()
.venv\Scripts\python -m PyInstaller --noconfirm --distpath dist --workpath build\pyinstaller packaging\windows\delegations.spec
dist\Delegations\delegations-cli.exe --version
if ($LASTEXITCODE -ne 0) { throw "the bundled program does not start" }
iscc "/DAppVersion=$version" packaging\windows\delegations.iss
if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed" }
Write-Host "dist\delegations-$version-windows-setup.exe"
