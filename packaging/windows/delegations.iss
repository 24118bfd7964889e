; Inno Setup script: Delegations-VERSION-windows-setup.exe from the PyInstaller folder.
;   1. .venv\Scripts\pyinstaller --noconfirm --distpath dist --workpath build\pyinstaller packaging\windows\delegations.spec
;   2. iscc /DAppVersion=VERSION packaging\windows\delegations.iss
; packaging\windows\build.ps1 does both, with VERSION read from the package metadata.
; Installs for the current user (no administrator rights) into
; %LOCALAPPDATA%\Programs\Delegations, with a Start menu entry; the databases in
; %LOCALAPPDATA%\delegations are never touched, not even by the uninstaller.

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=0.1.0 delegations.iss
#endif

[Setup]
AppId={{6F1B3C1E-4D0A-4C35-9B7E-2B8F4B0D5A11}
AppName=Delegations
AppVersion={#AppVersion}
AppVerName=Delegations {#AppVersion}
AppPublisher=Delegations
DefaultDirName={autopf}\Delegations
DefaultGroupName=Delegations
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=delegations-{#AppVersion}-windows-setup
SetupIconFile=delegations.ico
UninstallDisplayIcon={app}\Delegations.exe
Compression=lzma2
SolidCompression=yes
WizardStyle=modern

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "..\..\dist\Delegations\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Delegations"; Filename: "{app}\Delegations.exe"
Name: "{autodesktop}\Delegations"; Filename: "{app}\Delegations.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\Delegations.exe"; Description: "{cm:LaunchProgram,Delegations}"; Flags: nowait postinstall skipifsilent
