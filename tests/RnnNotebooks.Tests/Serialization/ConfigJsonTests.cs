using System.Text.Json;
using RnnNotebooks.Serialization;

namespace RnnNotebooks.Tests.Serialization;

public class ConfigJsonTests
{
    private static object? Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return ConfigJson.ReadValue(document.RootElement);
    }

    [Fact]
    public void Integral_numbers_come_back_as_int_long_or_ulong_and_others_as_double()
    {
        Read("32").Should().BeOfType<int>().Which.Should().Be(32);
        Read("-7").Should().BeOfType<int>().Which.Should().Be(-7);
        Read("1099511627776").Should().BeOfType<long>().Which.Should().Be(1L << 40);
        Read("18446744073709551615").Should().BeOfType<ulong>().Which.Should().Be(ulong.MaxValue);
        Read("0.2").Should().BeOfType<double>().Which.Should().Be(0.2);
        Read("1e300").Should().BeOfType<double>().Which.Should().Be(1e300);
    }

    [Fact]
    public void Arrays_and_objects_keep_each_value_s_own_type()
    {
        var config = Read(
                """{"units": 32, "rate": 0.5, "shape": [null, 500, 32], "name": "lstm_1", "stateful": false}"""
            )
            .Should()
            .BeOfType<Dictionary<string, object?>>()
            .Subject;
        config["units"].Should().BeOfType<int>();
        config["rate"].Should().BeOfType<double>();
        config["shape"].Should().BeEquivalentTo(new object?[] { null, 500, 32 }, o => o.RespectingRuntimeTypes());
        ((object?[])config["shape"]!)[1].Should().BeOfType<int>();
        config["name"].Should().Be("lstm_1");
        config["stateful"].Should().Be(false);
    }
}
