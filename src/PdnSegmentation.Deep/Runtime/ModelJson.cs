using System.Text.Json;
using System.Text.Json.Serialization;
using PdnSegmentation.Deep.Models;
using PdnSegmentation.Deep.Subject;

namespace PdnSegmentation.Deep.Runtime;

/// <summary>
/// The JSON of model descriptors (model.json) and the catalogue (manifest.json): camelCase names, enums as
/// camelCase strings, nulls left out. Source-generated, so the command line can be compiled ahead of time (Native
/// AOT has no reflection-based serializer).
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(CamelCaseEnum<TensorLayout>), typeof(CamelCaseEnum<SubjectResize>), typeof(CamelCaseEnum<ChannelOrder>),
        typeof(CamelCaseEnum<PixelScale>), typeof(CamelCaseEnum<SubjectOutputKind>)])]
[JsonSerializable(typeof(InstalledModel.Descriptor))]
[JsonSerializable(typeof(ModelCatalog.Manifest))]
internal sealed partial class ModelJson : JsonSerializerContext;

/// <summary>An enum read and written as its camelCase name; numbers are refused.</summary>
internal sealed class CamelCaseEnum<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.CamelCase, allowIntegerValues: false)
    where TEnum : struct, Enum;
