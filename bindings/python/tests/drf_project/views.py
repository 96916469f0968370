"""DRF views: the same endpoint behind DRF's own classes and behind authpolicy's."""

from rest_framework.authentication import BasicAuthentication, TokenAuthentication
from rest_framework.permissions import IsAdminUser, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from authpolicy.drf import AuthPolicyAuthentication


class WhoAmI(APIView):
    """Uses the project's defaults: AuthPolicyAuthentication + IsAuthenticated."""

    def get(self, request):
        auth = request.auth
        return Response(
            {
                "user": request.user.username,
                "django_user_id": request.user.pk,
                "auth": auth if isinstance(auth, (dict, str, type(None))) else type(auth).__name__,
                "authenticator": type(request.successful_authenticator).__name__,
            }
        )


class PolicyTokenOnly(WhoAmI):
    authpolicy_view = "tokens"  # the engine's view with TokenAuthentication only


class PolicyBasicOnly(WhoAmI):
    authpolicy_view = "basic"


class PolicyAdmin(WhoAmI):
    permission_classes = [IsAdminUser]


class DrfToken(WhoAmI):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]


class DrfBasic(WhoAmI):
    authentication_classes = [BasicAuthentication]
    permission_classes = [IsAuthenticated]


class Mixed(WhoAmI):
    """authpolicy first, then DRF's TokenAuthentication: the chain is DRF's."""

    authentication_classes = [AuthPolicyAuthentication, TokenAuthentication]
