using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using PdnSegmentation.Deep.Matting;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Deep.Sam;
using PdnSegmentation.Deep.Subject;

namespace PdnSegmentation.Deep.Models;

/// <summary>A model the catalogue offers for download: its files, licence and (for SAM exports) tensor names.</summary>
public sealed record DownloadableModel(string Name, string Task, string Licence, IReadOnlyList<ModelSource> Files, SamTensorNames? SamTensors = null)
{
    /// <summary>For a subject model, the tensor contract its file must meet (and model.json records).</summary>
    public SubjectContract? Subject { get; init; }
}

/// <summary>
/// Installs models into a models folder all-or-nothing: files are downloaded (or copied from a local file the user
/// names) into a staging folder beside the target, verified (size and SHA-256 where published, or the publisher's MD5; for Segment Anything,
/// the ONNX tensor contract — inputs and outputs present — so an unpinned download is at least the right kind of model),
/// and the staging folder is renamed into place with its model.json. A failure leaves the models folder as it was (a
/// partial download stays in the staging folder so the next attempt resumes).
/// </summary>
public static class ModelInstaller
{
    public static async Task<InstalledModel> InstallAsync(HttpClient http, DownloadableModel model, string modelsFolder,
        IReadOnlyDictionary<string, string>? localFiles = null, IProgress<(string File, long Done, long? Total)>? progress = null,
        CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(modelsFolder);
        string target = Path.Combine(modelsFolder, model.Name);
        string staging = Path.Combine(modelsFolder, "." + model.Name + ".staging");
        Directory.CreateDirectory(staging);
        var entries = new Dictionary<string, InstalledModel.FileEntry>();
        foreach (var source in model.Files)
        {
            string destination = Path.Combine(staging, source.FileName);
            string sha;
            if (localFiles is not null && localFiles.TryGetValue(source.Role, out var local))
                sha = CopyLocal(source, local, destination);
            else
            {
                var fileProgress = progress is null ? null : new Progress<(long Done, long? Total)>(p => progress.Report((source.FileName, p.Done, p.Total)));
                sha = await ModelDownload.FetchAsync(http, source, destination, fileProgress, cancellationToken);
            }
            entries[source.Role] = new InstalledModel.FileEntry(source.FileName, new FileInfo(destination).Length, sha);
        }
        CheckContract(model, staging);
        var descriptor = new InstalledModel.Descriptor(model.Name, model.Task, model.Licence, entries, model.SamTensors, null, model.Subject);
        File.WriteAllText(Path.Combine(staging, "model.json"), JsonSerializer.Serialize(descriptor, ModelJson.Default.Descriptor));
        // Swap into place: the previous version (if any) is kept until the new one is in.
        string previous = target + ".previous";
        if (Directory.Exists(previous)) Directory.Delete(previous, recursive: true);
        if (Directory.Exists(target)) Directory.Move(target, previous);
        Directory.Move(staging, target);
        if (Directory.Exists(previous)) Directory.Delete(previous, recursive: true);
        return InstalledModel.Load(target);
    }

    private static string CopyLocal(ModelSource source, string local, string destination)
    {
        if (!File.Exists(local)) throw new ModelException($"The file '{local}' given for {source.FileName} does not exist.");
        File.Copy(local, destination, overwrite: true);
        long length = new FileInfo(destination).Length;
        // The copy is read once: checked against the catalogue's SHA-256 when it has one, else hashed to record it
        // (Verify then only has the size to check, which it does before hashing).
        var copy = new ModelFile(destination, source.Size ?? length, source.Sha256 ?? ModelFile.Sha256Of(destination));
        if (source.Sha256 is not null || copy.Size != length) copy.Verify();
        if (source.Md5 is not null) ModelFile.CheckMd5(ModelFile.Md5Of(destination), source.Md5, source.FileName);
        return copy.Sha256.ToLowerInvariant();
    }

    /// <summary>Opens the model files and checks that the export's inputs and outputs for its task are there.</summary>
    private static void CheckContract(DownloadableModel model, string folder)
    {
        void Require(string role, string kind, IEnumerable<string> inputs, IEnumerable<string> outputs)
        {
            var file = model.Files.First(f => f.Role == role);
            string path = Path.Combine(folder, file.FileName);
            try
            {
                using var session = new InferenceSession(path);
                var missing = inputs.Where(n => !session.InputMetadata.ContainsKey(n)).Concat(outputs.Where(n => !session.OutputMetadata.ContainsKey(n))).ToList();
                if (missing.Count > 0)
                    throw new ModelException($"'{file.FileName}' is not a {kind} with the expected tensors (missing: {string.Join(", ", missing)}). " +
                                             "Map its tensor names in the catalogue or use another export.");
            }
            catch (OnnxRuntimeException e)
            {
                throw new ModelException($"'{file.FileName}' is not a valid ONNX model ({e.Message.Split('\n')[0]}).", e);
            }
        }
        if (model.Task == InstalledModel.SegmentAnythingTask)
        {
            var names = model.SamTensors ?? new SamTensorNames();
            Require("encoder", "Segment Anything encoder", [names.Image], [names.Embeddings]);
            Require("decoder", "Segment Anything decoder", [names.Embeddings, names.PointCoords, names.PointLabels, names.MaskInput, names.HasMaskInput, names.OriginalSize],
                [names.IouPredictions, names.LowResMasks]);
        }
        else if (model.Task == SubjectSelector.Task)
        {
            var contract = model.Subject ?? throw new ModelException($"The catalogue gives no tensor contract for the subject model '{model.Name}'.");
            var file = model.Files.First(f => f.Role == "model");
            try
            {
                using var session = new InferenceSession(Path.Combine(folder, file.FileName));
                var mismatches = contract.Mismatches(session);
                if (mismatches.Count > 0)
                    throw new ModelException($"'{file.FileName}' does not match the subject contract of '{model.Name}': {string.Join("; ", mismatches)}. Nothing was installed.");
            }
            catch (OnnxRuntimeException e)
            {
                throw new ModelException($"'{file.FileName}' is not a valid ONNX model ({e.Message.Split('\n')[0]}).", e);
            }
        }
        else if (model.Task == DeepMatting.Task)
        {
            var names = new MattingTensorNames();
            Require("model", "trimap matting model", [names.Input], [names.Output]);
        }
    }

    /// <summary>Removes an installed model's folder; nothing else in the models folder is touched.</summary>
    public static void Remove(string modelsFolder, string name)
    {
        string target = Path.Combine(modelsFolder, name);
        if (!File.Exists(Path.Combine(target, "model.json")))
            throw new ModelException($"No model named '{name}' is installed in '{modelsFolder}'.");
        Directory.Delete(target, recursive: true);
    }
}
