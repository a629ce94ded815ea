package io.tether.server.internal;

import io.netty.channel.ChannelHandler;
import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilter;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;
import io.tether.util.LogSafe;
import java.util.List;

/** An allow-list of source networks in CIDR form, checked by Netty's subnet filter. Never resolves names. */
public final class SourceNetworks {
    private SourceNetworks() {
    }

    /** Returns {@code cidr} if it is an IP literal with a prefix length that fits it; otherwise says what is wrong. */
    public static String check(String cidr) {
        int slash = cidr == null ? -1 : cidr.indexOf('/');
        String problem = null;
        if (slash <= 0) {
            problem = "no /prefix";
        } else {
            String ip = cidr.substring(0, slash);
            int max = NetUtil.isValidIpV4Address(ip) ? 32 : NetUtil.isValidIpV6Address(ip) ? 128 : -1;
            if (max < 0) {
                problem = "not an IP address";
            } else {
                try {
                    int prefix = Integer.parseInt(cidr.substring(slash + 1));
                    if (prefix < 0 || prefix > max) {
                        problem = "prefix must be 0.." + max;
                    }
                } catch (NumberFormatException e) {
                    problem = "prefix is not a number";
                }
            }
        }
        if (problem != null) {
            throw new IllegalArgumentException("not a network in CIDR form like 10.0.0.0/8 (" + problem + "): "
                    + LogSafe.text(String.valueOf(cidr), 60));
        }
        return cidr;
    }

    /** A handler that closes a new channel unless its peer is in one of {@code networks} (all checked). */
    static ChannelHandler filter(List<String> networks) {
        IpSubnetFilterRule[] rules = networks.stream()
                .map(cidr -> new IpSubnetFilterRule(check(cidr), IpFilterRuleType.ACCEPT))
                .toArray(IpSubnetFilterRule[]::new);
        return new IpSubnetFilter(false, rules);
    }
}
