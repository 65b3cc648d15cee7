using System.Reflection;
using System.Text.Json.Serialization.Metadata;

namespace LabelRep.IO;

/// <summary>
/// Marks a property whose value (a record) is written inline in its owner's JSON object, at the property's place,
/// instead of as a nested object: one record in code, flat keys on disk (config.json keeps its keys and its hash).
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class JsonFlattenAttribute : Attribute;

/// <summary>The contract modifier that does what <see cref="JsonFlattenAttribute"/> asks.</summary>
public static class JsonFlatten
{
    public static void Modifier(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object) return;
        for (int i = 0; i < info.Properties.Count; i++)
        {
            JsonPropertyInfo outer = info.Properties[i];
            if (outer.AttributeProvider is not PropertyInfo property || property.GetCustomAttribute<JsonFlattenAttribute>() is null) continue;
            Func<object, object?> getOuter = outer.Get!;
            info.Properties.RemoveAt(i);
            JsonTypeInfo nested = info.Options.GetTypeInfo(outer.PropertyType);
            foreach (JsonPropertyInfo inner in nested.Properties)
            {
                JsonPropertyInfo flat = info.CreateJsonPropertyInfo(inner.PropertyType, inner.Name);
                flat.IsGetNullable = inner.IsGetNullable;
                flat.IsSetNullable = inner.IsSetNullable;
                Func<object, object?> getInner = inner.Get!;
                Action<object, object?> setInner = inner.Set!;
                flat.Get = owner => getInner(getOuter(owner)!);
                // The owner's initializer made its own nested instance; deserialization fills it in place.
                flat.Set = (owner, value) => setInner(getOuter(owner)!, value);
                info.Properties.Insert(i++, flat);
            }
            i--;
        }
    }
}
