# Windows release: the PyInstaller folder, then the Inno Setup installer.
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1
# Needs Python 3.11+ and Inno Setup 6.3 or later (iscc.exe on PATH). Writes
# dist\Delegations\ and dist\delegations-VERSION-windows-setup.exe.
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")
# A native program's failure does not stop PowerShell: every step checks its exit code.
function Check($what) { if ($LASTEXITCODE -ne 0) { throw "$what failed (exit $LASTEXITCODE)" } }
if (-not (Test-Path .venv)) { py -3.11 -m venv .venv; Check "creating .venv" }
.venv\Scripts\python -m pip install -q -e ".[bundle]"; Check "pip install"
$version = (.venv\Scripts\python -c "from importlib.metadata import version; print(version('delegations'))").Trim()
Check "reading the version"
# An earlier build left in place must never be packed under the new version's name.
if (Test-Path dist\Delegations) { Remove-Item -Recurse -Force dist\Delegations }
.venv\Scripts\python -m PyInstaller --noconfirm --distpath dist --workpath build\pyinstaller packaging\windows\delegations.spec
Check "PyInstaller"
dist\Delegations\delegations-cli.exe --version
if ($LASTEXITCODE -ne 0) { throw "the bundled program does not start" }
iscc "/DAppVersion=$version" packaging\windows\delegations.iss
if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed" }
Write-Host "dist\delegations-$version-windows-setup.exe"
