# Build the Windows installer: a clean venv, the one-folder app, its self-test, then NSIS.
#
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build_windows.ps1
#
# Needs Python 3.11 (py launcher or python on PATH) and NSIS (makensis on PATH: `choco install nsis`).
# Writes dist\toy-network-playground\ and dist\toy-network-playground-VERSION-windows-setup.exe.
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")
$Name = "toy-network-playground"
$Work = "build\packaging"
$Venv = "$Work\venv"

function Invoke-Checked([string]$what, [scriptblock]$block) {
    & $block
    if ($LASTEXITCODE -ne 0) { throw "build_windows: $what failed (exit $LASTEXITCODE)" }
}

New-Item -ItemType Directory -Force $Work | Out-Null
if (Test-Path $Venv) { Remove-Item -Recurse -Force $Venv }
$python = if ($env:PYTHON) { $env:PYTHON } else { "python" }
Invoke-Checked "making the venv" { & $python -m venv $Venv }
$py = "$Venv\Scripts\python.exe"
Invoke-Checked "pip upgrade" { & $py -m pip install -q --upgrade pip }
# PyPI's Windows torch wheels are the CPU build; pinned like everywhere else.
Invoke-Checked "installing torch" { & $py -m pip install -q "torch==2.13.0" }
$requirements = & $py -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; print('\n'.join(p['dependencies'] + p['optional-dependencies']['packaging']))"
$requirements | Set-Content "$Work\requirements.txt"
Invoke-Checked "installing the app's dependencies" { & $py -m pip install -q -r "$Work\requirements.txt" }

if (Test-Path "dist\$Name") { Remove-Item -Recurse -Force "dist\$Name" }
Invoke-Checked "PyInstaller" {
    & "$Venv\Scripts\pyinstaller.exe" --noconfirm --log-level WARN --distpath dist --workpath "$Work\pyinstaller" packaging\playground.spec
}

# The self-test: a windowed exe prints nothing, so judge it by its exit code and its PNG.
$shot = Join-Path (Resolve-Path $Work) "selftest.png"
if (Test-Path $shot) { Remove-Item $shot }
$env:QT_QPA_PLATFORM = "offscreen"; $env:OMP_NUM_THREADS = "1"
$selftest = Start-Process -FilePath "dist\$Name\$Name.exe" -ArgumentList "--selftest", "--screenshot", "`"$shot`"" -Wait -PassThru
Remove-Item Env:QT_QPA_PLATFORM
if ($selftest.ExitCode -ne 0 -or -not (Test-Path $shot)) { throw "build_windows: the frozen self-test failed (exit $($selftest.ExitCode))" }
$size = (Get-ChildItem -Recurse -File "dist\$Name" | Measure-Object -Property Length -Sum).Sum
Write-Host ("build_windows: one-folder app {0:N0} MB, self-test passed" -f ($size / 1e6))

$version = & $py -c "import tomllib; print(tomllib.load(open('pyproject.toml', 'rb'))['project']['version'])"
Invoke-Checked "makensis" { makensis /V2 "/DVERSION=$version" packaging\windows\installer.nsi }
Write-Host "build_windows: dist\$Name-$version-windows-setup.exe"
