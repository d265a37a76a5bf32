using System.Security.Cryptography;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Setup.Tests;

/// <summary>
/// The installer on a fake file system (temporary folders laid out as Paint.NET installs) with an injected machine
/// (registry, special folders, version reading) and injected faults.
/// </summary>
public sealed class InstallerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pdnseg-setup-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private sealed class FakeMachine(string? registry, string programFiles, string documents) : IMachine
    {
        public string? RegistryInstallFolder() => registry;
        public string ProgramFiles() => programFiles;
        public string Documents() => documents;
        // Fake installs carry their version in PaintDotNet.dll's text (the real machine reads the file version).
        public Version? PaintDotNetVersion(string folder)
        {
            string dll = Path.Combine(folder, "PaintDotNet.dll");
            return File.Exists(dll) ? Version.Parse(File.ReadAllText(dll)) : null;
        }
    }

    private string FakePaintDotNet(string relative, string version)
    {
        string folder = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.Combine(folder, "Effects"));
        File.WriteAllText(Path.Combine(folder, "PaintDotNet.dll"), version);
        File.WriteAllText(Path.Combine(folder, "Effects", "SomeoneElsesPlugin.dll"), "other plugin");
        return folder;
    }

    /// <summary>
    /// A payload: the plugin, <paramref name="files"/> − 2 dependencies, and one optional model (models/u2netp/) pinned in
    /// the payload's model catalogue (models/manifest.json), with payload.json written by the installer's own code.
    /// </summary>
    private string Payload(string name, string version, int files = 4)
    {
        string folder = Path.Combine(_root, name);
        Directory.CreateDirectory(Path.Combine(folder, "models", "u2netp"));
        for (int i = 0; i < files; i++)
            File.WriteAllText(Path.Combine(folder, i == 0 ? "PdnSegmentation.dll" : i == files - 1 ? "models/u2netp/u2netp.onnx" : $"Dependency{i}.dll"), $"{version} file {i}");
        PinModel(folder, "u2netp", "u2netp.onnx");
        PayloadManifest.Create(folder, version).Save(folder);
        return folder;
    }

    private static void PinModel(string payload, string model, string fileName)
    {
        string file = Path.Combine(payload, "models", model, fileName);
        File.WriteAllText(Path.Combine(payload, "models", "manifest.json"), $$"""
            { "models": [ { "name": "{{model}}", "task": "subject", "description": "Select Subject: any salient object", "bundled": true, "licence": "Apache-2.0",
              "files": [ { "role": "model", "fileName": "{{fileName}}", "size": {{new FileInfo(file).Length}}, "sha256": "{{PayloadManifest.Sha256Of(file)}}" } ] } ] }
            """);
    }

    private static Dictionary<string, string> Snapshot(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(folder, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    [Fact]
    public void FindsClassicStoreAndPortableInstallsAndRefusesOldOnes()
    {
        string programFiles = Path.Combine(_root, "Program Files");
        string classic = FakePaintDotNet("Program Files/paint.net", "5.1.9.0");
        string documents = Path.Combine(_root, "Documents");
        Directory.CreateDirectory(Path.Combine(documents, "paint.net App Files", "Effects"));
        var found = new PaintDotNetLocator(new FakeMachine(null, programFiles, documents)).Find();
        Assert.Equal([PaintDotNetKind.Classic, PaintDotNetKind.Store], found.Select(f => f.Kind));
        Assert.Equal(Path.Combine(classic, "Effects"), found[0].EffectsFolder);
        Assert.Equal(new Version(5, 1, 9, 0), found[0].Version);
        Assert.Equal(Path.Combine(documents, "paint.net App Files", "Effects"), found[1].EffectsFolder);

        // The registry wins over the default folder.
        string elsewhere = FakePaintDotNet("D/Tools/paint.net", "5.2.0.0");
        Assert.Equal(elsewhere, new PaintDotNetLocator(new FakeMachine(elsewhere, programFiles, documents)).Find()[0].InstallFolder);

        string portable = FakePaintDotNet("USB/paint.net", "5.1.1.0");
        var p = new PaintDotNetLocator(new FakeMachine(null, programFiles, documents)).Find(portable).Single();
        Assert.Equal((PaintDotNetKind.Portable, Path.Combine(portable, "Effects")), (p.Kind, p.EffectsFolder));

        string old = FakePaintDotNet("Old/paint.net", "4.3.12.0");
        var error = Assert.Throws<SetupException>(() => new PaintDotNetLocator(new FakeMachine(old, programFiles, documents)).Find());
        Assert.Contains("Paint.NET 4.3.12.0", error.Message);
        Assert.Contains("5.1 or newer", error.Message);
        Assert.Contains("does not contain Paint.NET", Assert.Throws<SetupException>(() =>
            new PaintDotNetLocator(new FakeMachine(null, programFiles, documents)).Find(Path.Combine(_root, "nothing"))).Message);
    }

    [Fact]
    public void InstallThenUninstallLeavesTheTreeByteIdentical()
    {
        string effects = Path.Combine(FakePaintDotNet("pdn", "5.1.9.0"), "Effects");
        var before = Snapshot(effects);
        var installer = new PluginInstaller();
        installer.Install(Payload("payload", "1.0.0"), effects);
        var status = installer.Status(effects)!;
        Assert.True(status.Intact);
        Assert.Equal("1.0.0", status.Version);
        Assert.Equal("1.0.0 file 0", File.ReadAllText(Path.Combine(effects, "PdnSegmentation", "PdnSegmentation.dll")));
        installer.Uninstall(effects);
        Assert.Equal(before, Snapshot(effects));
        Assert.False(Directory.Exists(Path.Combine(effects, "PdnSegmentation")));
    }

    [Fact]
    public void UninstallKeepsFilesTheUserAddedToThePluginFolder()
    {
        string effects = Path.Combine(FakePaintDotNet("pdn", "5.1.9.0"), "Effects");
        var installer = new PluginInstaller();
        installer.Install(Payload("payload", "1.0.0"), effects);
        string mine = Path.Combine(effects, "PdnSegmentation", "models", "my-own-model.onnx");
        File.WriteAllText(mine, "user data");
        installer.Uninstall(effects);
        Assert.True(File.Exists(mine));
        Assert.Equal(["my-own-model.onnx"], Directory.GetFiles(Path.Combine(effects, "PdnSegmentation"), "*", SearchOption.AllDirectories).Select(Path.GetFileName));
    }

    private sealed class FailAfter(int step) : IInstallSteps
    {
        private int _count;
        public void After(string name)
        {
            if (++_count == step) throw new IOException($"injected failure after '{name}'");
        }
    }

    [Fact]
    public void AnUpgradeInterruptedAtAnyStepLeavesTheOldOrTheNewVersionComplete()
    {
        string pdn = FakePaintDotNet("pdn", "5.1.9.0");
        string effects = Path.Combine(pdn, "Effects");
        string oldPayload = Payload("old", "1.0.0"), newPayload = Payload("new", "2.0.0", files: 5);
        int steps = PayloadManifest.Load(newPayload).Files.Count + 3; // copies, log, move aside, move in
        for (int step = 1; step <= steps + 1; step++)
        {
            new PluginInstaller().Install(oldPayload, effects);
            var oldTree = Snapshot(PluginInstaller.PluginFolder(effects));
            try { new PluginInstaller(new FailAfter(step)).Install(newPayload, effects); }
            catch (IOException) { }
            var tree = Snapshot(PluginInstaller.PluginFolder(effects));
            var status = new PluginInstaller().Status(effects)!;
            Assert.True(status.Intact, $"step {step}: damaged {string.Join(", ", status.Damaged)} missing {string.Join(", ", status.Missing)}");
            if (status.Version == "1.0.0") Assert.Equal(oldTree, tree);
            else Assert.Equal("2.0.0", status.Version);
            Assert.Equal(["PdnSegmentation", "SomeoneElsesPlugin.dll"], Directory.GetFileSystemEntries(effects).Select(Path.GetFileName).Order());
        }
    }

    [Fact]
    public void ACorruptPayloadFileIsRefusedByName()
    {
        string effects = Path.Combine(FakePaintDotNet("pdn", "5.1.9.0"), "Effects");
        string payload = Payload("payload", "1.0.0");
        File.AppendAllText(Path.Combine(payload, "Dependency1.dll"), "!");
        var before = Snapshot(effects);
        var error = Assert.Throws<SetupException>(() => new PluginInstaller().Install(payload, effects));
        Assert.Contains("'Dependency1.dll' is corrupt", error.Message);
        Assert.Equal(before, Snapshot(effects));
    }

    [Fact]
    public void AFileInUseIsReportedAndNothingChanges()
    {
        string effects = Path.Combine(FakePaintDotNet("pdn", "5.1.9.0"), "Effects");
        new PluginInstaller().Install(Payload("old", "1.0.0"), effects);
        var before = Snapshot(effects);
        using (new FileStream(Path.Combine(effects, "PdnSegmentation", "PdnSegmentation.dll"), FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            var error = Assert.Throws<SetupException>(() => new PluginInstaller().Install(Payload("new", "2.0.0"), effects));
            Assert.Contains("Paint.NET is probably running", error.Message);
            Assert.Contains("PdnSegmentation.dll", error.Message);
        }
        Assert.Equal(before, Snapshot(effects));
    }

    [Fact]
    public void RepairRestoresADamagedFileAndStatusReportsDamage()
    {
        string effects = Path.Combine(FakePaintDotNet("pdn", "5.1.9.0"), "Effects");
        string payload = Payload("payload", "1.0.0");
        var installer = new PluginInstaller();
        installer.Install(payload, effects);
        File.WriteAllText(Path.Combine(effects, "PdnSegmentation", "Dependency1.dll"), "damaged");
        File.Delete(Path.Combine(effects, "PdnSegmentation", "Dependency2.dll"));
        var status = installer.Status(effects)!;
        Assert.Equal(["Dependency1.dll"], status.Damaged);
        Assert.Equal(["Dependency2.dll"], status.Missing);
        installer.Install(payload, effects); // repair = install the same payload again
        Assert.True(installer.Status(effects)!.Intact);
    }

    private (int Exit, string Out, string Error) Setup(IMachine machine, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = PdnSegmentation.Setup.Console.SetupApp.Run(args, output, error, machine, new StringReader("y\n"));
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public void TheConsoleFrontEndInstallsReportsAndUninstalls()
    {
        string pdn = FakePaintDotNet("Program Files/paint.net", "5.1.9.0");
        var machine = new FakeMachine(null, Path.Combine(_root, "Program Files"), Path.Combine(_root, "Documents"));
        string payload = Payload("payload", "3.1.0");
        File.Delete(Path.Combine(payload, PayloadManifest.FileName));
        Assert.Equal(0, Setup(machine, "make-payload", payload, "--version", "3.1.0").Exit);

        Assert.Contains("PdnSegmentation not installed", Setup(machine, "status").Out);
        var install = Setup(machine, "install", "--payload", payload);
        Assert.True(install.Exit == 0, install.Error);
        Assert.Contains("PdnSegmentation 3.1.0 is installed", install.Out);
        Assert.Contains("PdnSegmentation 3.1.0", Setup(machine, "status").Out);
        Assert.Contains("all files intact", Setup(machine, "status").Out);
        File.WriteAllText(Path.Combine(pdn, "Effects", "PdnSegmentation", "Dependency1.dll"), "damaged");
        Assert.Contains("damaged: Dependency1.dll (run repair)", Setup(machine, "status").Out);
        Assert.Equal(0, Setup(machine, "repair", "--payload", payload, "--yes").Exit);
        Assert.Contains("all files intact", Setup(machine, "status").Out);
        Assert.Equal(0, Setup(machine, "uninstall", "--yes").Exit);
        Assert.Contains("not installed", Setup(machine, "status").Out);
    }

    [Fact]
    public void WithoutPaintDotNetTheUserIsTold()
    {
        var machine = new FakeMachine(null, Path.Combine(_root, "none"), Path.Combine(_root, "none"));
        var (exit, _, error) = Setup(machine, "status");
        Assert.Equal(1, exit);
        Assert.Contains("Paint.NET was not found", error);
        Assert.Equal(2, Setup(machine, "frobnicate").Exit);
    }

    [Fact]
    public void ModelsAreOptionalComponentsVerifiedAgainstTheCatalogue()
    {
        string effects = Path.Combine(FakePaintDotNet("pdn", "5.1.9.0"), "Effects");
        string payload = Payload("payload", "1.0.0");
        Assert.Equal(["u2netp"], PayloadManifest.Load(payload).Models);
        var installer = new PluginInstaller();
        var progress = new List<InstallProgress>();
        installer.Install(payload, effects, models: [], progress: new Recorder(progress));
        string plugin = PluginInstaller.PluginFolder(effects);
        Assert.False(Directory.Exists(Path.Combine(plugin, "models", "u2netp")));
        Assert.True(File.Exists(Path.Combine(plugin, "models", "manifest.json"))); // the catalogue is the plugin's
        Assert.Empty(installer.Status(effects)!.Models);
        Assert.Equal(new InstallProgress("verifying copy", 4, 4), progress[^1]); // 3 plugin files + the catalogue
        Assert.Equal(["verifying payload", "copying", "verifying copy"], progress.Select(p => p.Stage).Distinct());

        installer.Install(payload, effects); // all models
        Assert.Equal(["u2netp"], installer.Status(effects)!.Models);
        Assert.True(installer.Status(effects)!.Intact);
        Assert.Contains("no model 'sam'", Assert.Throws<SetupException>(() => installer.Install(payload, effects, ["sam"])).Message);

        // A payload whose manifest was made to match a model that is not the catalogue's (rebuilt around a wrong file).
        string wrong = Payload("wrong", "2.0.0");
        File.AppendAllText(Path.Combine(wrong, "models", "u2netp", "u2netp.onnx"), "tampered");
        var error = Assert.Throws<SetupException>(() => PayloadManifest.Create(wrong, "2.0.0"));
        Assert.Contains("'models/u2netp/u2netp.onnx' does not match its SHA-256 in models/manifest.json", error.Message);
        var manifest = PayloadManifest.Load(wrong);
        var files = manifest.Files.Select(f => f.Path == "models/u2netp/u2netp.onnx"
            ? f with { Size = new FileInfo(Path.Combine(wrong, f.Path)).Length, Sha256 = PayloadManifest.Sha256Of(Path.Combine(wrong, f.Path)) } : f).ToList();
        (manifest with { Files = files }).Save(wrong);
        var before = Snapshot(effects);
        error = Assert.Throws<SetupException>(() => installer.Install(wrong, effects));
        Assert.Contains("'models/u2netp/u2netp.onnx' does not match", error.Message);
        Assert.Equal(before, Snapshot(effects));
        installer.Install(wrong, effects, models: []); // without the model, the rest installs
        Assert.Equal("2.0.0", installer.Status(effects)!.Version);
    }

    private sealed class Recorder(List<InstallProgress> list) : IProgress<InstallProgress>
    {
        public void Report(InstallProgress value) => list.Add(value);
    }

    [Fact]
    public void TheRepositorysModelCatalogueMatchesTheBundledModels()
    {
        string root = SharedData.RepositoryRoot();
        var catalogue = ModelCatalogue.Load(root);
        foreach (var model in new[] { "u2netp", "mediapipe-selfie-segmentation" })
        {
            catalogue.Verify(root, model);
            Assert.NotEmpty(catalogue.Find(model)!.Files);
        }
    }

    [Fact]
    public void TheConsoleRepairKeepsTheModelsChosenAtInstallAndShowsProgress()
    {
        FakePaintDotNet("Program Files/paint.net", "5.1.9.0");
        var machine = new FakeMachine(null, Path.Combine(_root, "Program Files"), Path.Combine(_root, "Documents"));
        string payload = Payload("payload", "1.0.0");
        var install = Setup(machine, "install", "--payload", payload, "--models", "none", "--yes");
        Assert.True(install.Exit == 0, install.Error);
        Assert.Contains("copying: 25% 50% 75% 100%", install.Out); // 3 plugin files and the catalogue, no model
        Assert.Contains("(models: none)", install.Out);
        Assert.Equal(0, Setup(machine, "repair", "--payload", payload, "--yes").Exit);
        Assert.Contains("models: none, all files intact", Setup(machine, "status").Out);
        Assert.Equal(0, Setup(machine, "repair", "--payload", payload, "--models", "all", "--yes").Exit);
        Assert.Contains("models: u2netp, all files intact", Setup(machine, "status").Out);
    }

    private (int Exit, string Out, string Error) Guided(IMachine machine, string payload, string answers)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = PdnSegmentation.Setup.Console.GuidedSetup.Run(output, error, new StringReader(answers), machine, payload);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public void TheGuidedSetupAsksInstallsUpdatesAndRemoves()
    {
        string classic = FakePaintDotNet("Program Files/paint.net", "5.1.9.0");
        string documents = Path.Combine(_root, "Documents");
        Directory.CreateDirectory(Path.Combine(documents, "paint.net App Files", "Effects"));
        var machine = new FakeMachine(null, Path.Combine(_root, "Program Files"), documents);
        string store = Path.Combine(documents, "paint.net App Files", "Effects");
        var storeBefore = Snapshot(store);
        var before = Snapshot(Path.Combine(classic, "Effects"));
        string payload = Payload("payload", "1.0.0");

        // Two Paint.NETs: the first (classic) chosen with Enter, install: Enter (yes), model: n, then Enter to close.
        var first = Guided(machine, payload, "\n\nn\n\n");
        Assert.True(first.Exit == 0, first.Out + first.Error);
        Assert.Contains("[1] Paint.NET 5.1.9.0 classic", first.Out);
        Assert.Contains("[2] Paint.NET (Microsoft Store) store", first.Out);
        Assert.Contains("include u2netp — Select Subject: any salient object, Apache-2.0 (0.0 MB)?", first.Out);
        Assert.Contains("Press Enter to close this window.", first.Out);
        var status = new PluginInstaller().Status(Path.Combine(classic, "Effects"))!;
        Assert.True(status.Intact);
        Assert.Empty(status.Models);

        // Run again: it offers the update (Enter = update), the model now offered as "no" by default; say y.
        var second = Guided(machine, payload, "1\n\ny\n\n");
        Assert.True(second.Exit == 0, second.Out + second.Error);
        Assert.Contains("PdnSegmentation 1.0.0 is installed in", second.Out);
        Assert.Equal(["u2netp"], new PluginInstaller().Status(Path.Combine(classic, "Effects"))!.Models);

        // A closed input (no answer) changes nothing; then R removes it, leaving the tree as before.
        var snapshot = Snapshot(Path.Combine(classic, "Effects"));
        Assert.Equal(1, Guided(machine, payload, "").Exit);
        Assert.Equal(snapshot, Snapshot(Path.Combine(classic, "Effects")));
        Assert.Equal(0, Guided(machine, payload, "1\nr\n\n").Exit);
        Assert.Equal(before, Snapshot(Path.Combine(classic, "Effects")));
        Assert.Equal(storeBefore, Snapshot(store));
    }

    [Fact]
    public void TheGuidedSetupAsksForAPortablePaintDotNetWhenNoneIsFound()
    {
        var machine = new FakeMachine(null, Path.Combine(_root, "none"), Path.Combine(_root, "none"));
        string portable = FakePaintDotNet("USB/paint.net", "5.1.2.0");
        var run = Guided(machine, Payload("payload", "1.0.0"), $"\"{portable}\"\n\n\n\n");
        Assert.True(run.Exit == 0, run.Out + run.Error);
        Assert.Contains("was not found. Type the folder of a portable Paint.NET", run.Out);
        Assert.Equal(["u2netp"], new PluginInstaller().Status(Path.Combine(portable, "Effects"))!.Models);

        var old = FakePaintDotNet("Old/paint.net", "4.3.12.0");
        var refused = Guided(machine, Payload("payload2", "1.0.0"), $"{old}\n\n");
        Assert.Equal(1, refused.Exit);
        Assert.Contains("5.1 or newer", refused.Error);
        Assert.Contains("Press Enter to close this window.", refused.Out);
    }
}
